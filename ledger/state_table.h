// StateTable: one table of the rule state (keys, entities, claims, balances, ...).
//
// Unbacked (a replayed state), the table is a map holding every entry. Backed by a StateSource
// (the writer), it is a cache: find() loads a missing entry from the source and keeps it; put()
// marks it dirty, and flush() hands the dirty entries to the commit's WriteBatch. A key the source
// does not hold is remembered as absent, so checking that an id is new and then storing it reads
// the source once. Only clean entries are dropped (trim), so the cache's size is bounded, not the
// table's.
//
// An absent key stays correct until trim(): the writer is the only one who writes the source, and
// every entry it adds is in the cache (dirty, then clean) until trim() drops both.
//
// Entries are changed only through LedgerState::put or put_fresh, which record the undo first.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "ledger/state_codec.h"
#include "ledger/state_source.h"

namespace grantledger {

template <typename K, typename V>
class StateTable {
 public:
  explicit StateTable(char tag) : tag_(tag) {}

  void attach(StateSource* source) { source_ = source; }
  bool backed() const { return source_ != nullptr; }

  // The entry, loaded from the source when backed; nullptr when there is none or it could not be
  // read (then the source's failure() says why).
  const V* find(const K& k) const {
    auto it = cache_.find(k);
    if (it != cache_.end()) return &it->second;
    if (!source_ || absent_.count(k)) return nullptr;
    const Bytes key = stored_key(k);
    auto stored = source_->get(key);
    if (!stored) {
      source_->fail(stored.error().with_context("state: " + state_codec::describe_key(key) + ": "));
      return nullptr;
    }
    if (!stored->has_value()) {
      absent_.insert(k);
      return nullptr;
    }
    V value{};
    RecordReader r(**stored);
    state_codec::decode(&r, &value);
    Status s = r.finish("state: " + state_codec::describe_key(key));
    if (!s.is_ok()) {
      source_->fail(std::move(s));
      return nullptr;
    }
    return &cache_.emplace(k, std::move(value)).first->second;
  }

  // As find(), for LedgerState::put, which changes the entry (recording the undo first).
  V* find_for_change(const K& k) { return const_cast<V*>(std::as_const(*this).find(k)); }

  Bytes stored_key(const K& k) const {
    Bytes key(1, tag_);
    state_codec::append_key(&key, k);
    return key;
  }

  // The cache itself, for LedgerState::put (which loads the entry first and records the undo).
  std::map<K, V>& entries() { return cache_; }
  const std::map<K, V>& entries() const { return cache_; }
  void mark_dirty(const K& k) {
    if (source_) dirty_.insert(k);
  }

  // Every dirty entry's stored key and value, then clean. Entries a rollback removed again are
  // absent from the cache and were absent from the source: nothing to write.
  void flush(const std::function<void(std::string_view, std::string_view)>& put) {
    for (const K& k : dirty_) {
      auto it = cache_.find(k);
      if (it == cache_.end()) continue;
      RecordWriter w;
      state_codec::encode(&w, it->second);
      put(stored_key(k), w.bytes());
    }
    dirty_.clear();
  }
  void forget_dirty() { dirty_.clear(); }
  // Entries and absent keys held in memory.
  size_t cached() const { return cache_.size() + absent_.size(); }
  // Drops every cached entry and absent key. REQUIRES: backed, nothing dirty (and no undo pending).
  void trim() {
    GL_ASSERT(source_ && dirty_.empty());
    cache_.clear();
    absent_.clear();
  }
  char tag() const { return tag_; }
  // Every entry, encoded, in the table's own order. REQUIRES: unbacked (the whole table is in
  // memory).
  void for_each_encoded(const std::function<void(std::string_view key, std::string_view value)>& f) const {
    GL_ASSERT(!source_);
    Bytes key;
    for (const auto& [k, v] : cache_) {
      key.assign(1, tag_);
      state_codec::append_key(&key, k);
      RecordWriter w;
      state_codec::encode(&w, v);
      f(key, w.bytes());
    }
  }
  // Whether the table's own order is the order of its stored keys (it is wherever the key
  // encoding keeps the order; a pair of strings' does not). REQUIRES: unbacked.
  bool in_stored_key_order() const {
    GL_ASSERT(!source_);
    Bytes previous, key;
    for (const auto& entry : cache_) {
      key.assign(1, tag_);
      state_codec::append_key(&key, entry.first);
      if (key < previous) return false;
      previous.swap(key);
    }
    return true;
  }

 private:
  char tag_;
  StateSource* source_ = nullptr;
  mutable std::map<K, V> cache_;
  mutable std::set<K> absent_;  // keys the source does not hold (as of the last trim)
  std::set<K> dirty_;
};

}  // namespace grantledger
