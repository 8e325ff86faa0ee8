// LedgerState: what the rules need to know to accept or reject the next event.
//
// The state is derived: it is rebuilt by replaying the log (Ledger::open, the audit), and
// advanced by the writer as it stages commits. Every mutation is recorded in an undo log, so a
// commit (or a group of commits) that fails a rule or fails to become durable is rolled back
// exactly: mark(), then rollback(mark) or release().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/status.h"
#include "spec/events.capnp.h"

namespace grantledger {

struct KeyState {
  Bytes public_key;  // raw 32 bytes
  schema::Role role;
  std::string name;
  std::string scope_entity;
  uint64_t registered_seq = 0;
  std::optional<uint64_t> revoked_seq;
  bool active() const { return !revoked_seq.has_value(); }
};

struct EntityState {
  schema::EntityKind kind;
  std::string name;
  std::string parent_code;
  int64_t population = 0;
  bool closed = false;
};

// Where an event sits: used in rule checks and in error messages.
struct EventContext {
  uint64_t commit_sequence = 0;
  uint64_t event_index = 0;
  Hash32 signer_key_id{};
};

class LedgerState {
 public:
  // Signer checks for a non-genesis commit: registered, active, and a role that signs commits.
  Status check_signer(const Hash32& key_id) const;
  // Checks the genesis commit's shape: [admin key == signer, log key].
  static Status check_genesis(const Hash32& signer_key_id,
                              const std::vector<schema::Event::Reader>& events);

  // Checks one event against every rule and applies it. On rejection, nothing changed.
  Status apply(const EventContext& ctx, schema::Event::Reader event);

  const KeyState* key(const Hash32& key_id) const;
  const EntityState* entity(const std::string& code) const;
  const std::map<Hash32, KeyState>& keys() const { return keys_; }
  const std::map<std::string, EntityState>& entities() const { return entities_; }

  size_t mark() const { return undo_.size(); }
  void rollback(size_t mark);
  void release() { undo_.clear(); }

 private:
  Status check_role(const EventContext& ctx, schema::Event::Body::Which which) const;
  Status apply_key_registered(const EventContext& ctx, schema::KeyRegistered::Reader e);
  Status apply_key_revoked(const EventContext& ctx, schema::KeyRevoked::Reader e);
  Status apply_entity_registered(schema::EntityRegistered::Reader e);
  Status apply_entity_renamed(schema::EntityRenamed::Reader e);
  Status apply_entity_closed(schema::EntityClosed::Reader e);

  template <typename Map, typename Key, typename Value>
  void put(Map& map, const Key& k, Value v) {
    auto it = map.find(k);
    if (it == map.end()) {
      undo_.push_back([&map, k] { map.erase(k); });
      map.emplace(k, std::move(v));
    } else {
      undo_.push_back([&map, k, old = it->second] { map[k] = old; });
      it->second = std::move(v);
    }
  }

  std::map<Hash32, KeyState> keys_;
  std::map<std::string, EntityState> entities_;
  std::vector<std::function<void()>> undo_;
};

// Which roles may submit an event type (spec/LOG.md, "Keys and roles").
bool role_may_submit(schema::Role role, schema::Event::Body::Which which);
std::string role_name(schema::Role role);

}  // namespace grantledger
