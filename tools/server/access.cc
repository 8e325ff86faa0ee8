#include "tools/server/access.h"

#include <algorithm>

namespace grantledger::server {

namespace {

std::string joined(const std::vector<std::string>& command) {
  std::string out;
  for (const auto& c : command) out += (out.empty() ? "" : " ") + c;
  return out;
}

// The value of `name` when given exactly once.
std::optional<std::string> single(const QueryCall& call, const std::string& name) {
  std::optional<std::string> out;
  for (const auto& [k, v] : call.params) {
    if (k != name) continue;
    if (out) return std::nullopt;
    out = v;
  }
  return out;
}

}  // namespace

bool reserved_parameter(const std::string& name) {
  static const std::vector<std::string> reserved = {"data", "out", "report", "server", "key", "tls-ca", "help", "h"};
  return std::find(reserved.begin(), reserved.end(), name) != reserved.end();
}

Status may_read(const KeyState& key, const QueryCall& call) {
  if (!key.active()) return Status::invalid_argument("key " + key.name + " is revoked");
  switch (key.role) {
    case schema::Role::LOG:
      return Status::invalid_argument("the log key signs checkpoints and commits; it reads nothing through the service");
    case schema::Role::FINANCE_OFFICER: {
      const std::string what = joined(call.command);
      if (what != "balance" && what != "history" && what != "claims")
        return Status::invalid_argument("a finance officer's key reads its own entity's balance, history and claims, not " + what);
      const bool any_account = std::any_of(call.params.begin(), call.params.end(), [](const auto& p) { return p.first == "account"; });
      if (any_account)
        return Status::invalid_argument("a finance officer's key reads history by --entity " + key.scope_entity + ", not by --account");
      auto entity = single(call, "entity");
      if (!entity || *entity != key.scope_entity)
        return Status::invalid_argument("a finance officer's key reads entity " + key.scope_entity + " only: give entity=" +
                                        key.scope_entity + (entity ? " (asked for " + *entity + ")" : ""));
      return Status::ok();
    }
    default: return Status::ok();
  }
}

Status may_submit(const KeyState& key) {
  if (!key.active()) return Status::invalid_argument("key " + key.name + " is revoked");
  if (key.role == schema::Role::LOG)
    return Status::invalid_argument("the log key signs checkpoints and commits, never submissions");
  return Status::ok();
}

}  // namespace grantledger::server
