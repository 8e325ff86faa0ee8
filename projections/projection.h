// Projection: one read model the builder keeps current (spec/PROJECTIONS.md). A projection owns
// one column family; it reads its own state through the ProjectionStore and earlier events through
// the ledger's checked reads. Reads go through an overlay of this batch's writes, so a batch may
// touch the same key many times; flush() moves the overlay into the batch that is written together
// with the projection's new position.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ledger/canonical.h"
#include "ledger/ledger.h"
#include "ledger/money.h"
#include "projections/projection_store.h"

namespace grantledger::projections {

class Projection {
 public:
  Projection(Ledger& ledger, ProjectionStore& store, std::string name, Cf cf)
      : ledger_(ledger), store_(store), name_(std::move(name)), cf_(cf) {}
  virtual ~Projection() = default;
  const std::string& name() const { return name_; }
  Cf cf() const { return cf_; }

  virtual Status apply(const CommitRecord& c, uint64_t index, schema::Event::Reader event,
                       const std::vector<Posting>& postings) = 0;

  void flush(ProjectionBatch* batch) {
    while (!overlay_.empty()) {  // moved, not copied: a batch in memory keeps the strings
      auto node = overlay_.extract(overlay_.begin());
      batch->put(cf_, std::move(node.key()), std::move(node.mapped()));
    }
    cursor_.reset();  // the batch is about to change the family the cursor reads
  }
  void discard() {
    overlay_.clear();
    cursor_.reset();
    reset();
  }
  // After a return that wrote nothing more: drops changes not flushed (and then the caches, which
  // may hold them); a no-op when everything was flushed.
  void discard_unwritten() {
    cursor_.reset();  // holds a version of the store alive; the next batch makes its own
    if (!overlay_.empty()) discard();
  }
  // Drops any cache a projection keeps beside its column family (after a failure or a rebuild).
  virtual void reset() {}

 protected:
  Result<std::optional<Bytes>> get(const Bytes& key) {
    auto it = overlay_.find(key);
    if (it != overlay_.end()) return std::optional<Bytes>(it->second);
    return store_.get(cf_, key);
  }
  void put(Bytes key, Bytes value) { overlay_[std::move(key)] = std::move(value); }
  // The first key (and its value) starting with `prefix`, in this batch's writes or the store.
  using KeyValue = std::optional<std::pair<Bytes, Bytes>>;
  Result<KeyValue> first_with_prefix(const Bytes& prefix) {
    KeyValue best;
    auto o = overlay_.lower_bound(prefix);
    if (o != overlay_.end() && o->first.starts_with(prefix)) best = *o;
    // One cursor per batch: until flush() the family holds only what earlier batches wrote, and
    // this batch's writes are in the overlay. (A cursor costs more to make than a seek.)
    if (!cursor_) cursor_.emplace(store_.cursor(cf_));
    ProjectionCursor& it = *cursor_;
    it.seek(prefix);
    if (it.valid() && it.key().starts_with(prefix) && (!best || it.key() < std::string_view(best->first)))
      best = std::make_pair(Bytes(it.key()), Bytes(it.value()));
    GL_RETURN_IF_ERROR(it.status("scan projection " + name_));
    return best;
  }
  // The last key (and its value) starting with `prefix`, in this batch's writes or the store, where
  // every key starting with `prefix` is at most `suffix_bytes` longer than it.
  Result<KeyValue> last_with_prefix(const Bytes& prefix, size_t suffix_bytes) {
    const Bytes bound = prefix + Bytes(suffix_bytes + 1, '\xff');  // above every such key
    KeyValue best;
    auto o = overlay_.upper_bound(bound);
    if (o != overlay_.begin() && std::prev(o)->first.starts_with(prefix)) best = *std::prev(o);
    if (!cursor_) cursor_.emplace(store_.cursor(cf_));
    ProjectionCursor& it = *cursor_;
    it.seek_for_prev(bound);
    if (it.valid() && it.key().starts_with(prefix) && (!best || it.key() > std::string_view(best->first)))
      best = std::make_pair(Bytes(it.key()), Bytes(it.value()));
    GL_RETURN_IF_ERROR(it.status("scan projection " + name_));
    return best;
  }
  // A stored counter or balance: 8 bytes or absent (0). Anything else is a damaged projection,
  // which stops the builder with an error naming the key (a rebuild repairs it).
  Result<int64_t> get_i64(const Bytes& key) {
    GL_ASSIGN_OR_RETURN(std::optional<Bytes> v, get(key));
    if (!v) return int64_t{0};
    if (v->size() != 8) return Status::corruption(name_ + ": stored value of \"" + key + "\" is " + std::to_string(v->size()) + " bytes, not 8");
    return static_cast<int64_t>(get_u64_be(*v));
  }
  // Adds to (subtracts from) a stored counter or balance; corruption when the sum leaves the int64
  // range (spec/DOMAIN.md, "Amount limits").
  Status add_i64(const Bytes& key, int64_t delta) { return update_i64(key, delta, add_to_sum); }
  Status subtract_i64(const Bytes& key, int64_t delta) { return update_i64(key, delta, subtract_from_sum); }
  // An earlier event, checked against its commit's leaf hash (Ledger::event).
  Result<DecodedMessage> read_event(uint64_t index) {
    GL_ASSIGN_OR_RETURN(Bytes bytes, ledger_.event(index));
    return DecodedMessage::decode(bytes);
  }

 private:
  Status update_i64(const Bytes& key, int64_t delta, Status (*op)(int64_t*, int64_t, std::string_view)) {
    GL_ASSIGN_OR_RETURN(int64_t v, get_i64(key));
    GL_RETURN_IF_ERROR(op(&v, delta, key));  // the builder names the projection and the event
    put(key, u64_be(static_cast<uint64_t>(v)));
    return Status::ok();
  }

  Ledger& ledger_;
  ProjectionStore& store_;
  std::string name_;
  Cf cf_;
  std::map<Bytes, Bytes> overlay_;
  std::optional<ProjectionCursor> cursor_;
};

// Applies one event to `p`; a failure names the projection, the event and its commit.
inline Status apply_event(Projection& p, const CommitRecord& c, uint64_t index, schema::Event::Reader event,
                          const std::vector<Posting>& postings) {
  Status s = p.apply(c, index, event, postings);
  if (s.is_ok()) return s;
  return s.with_context("projection " + p.name() + ": event " + std::to_string(index) + " (commit " + std::to_string(c.info.sequence) +
                        "): ");
}

}  // namespace grantledger::projections
