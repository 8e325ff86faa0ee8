// Who may read what through `grantledger serve` (spec/SERVER.md, "Access"). Reads are scoped by
// the role and scope the log registers for the request's key; writes are decided by the ledger's
// rules, as for any commit.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ledger/state_types.h"
#include "ledger/status.h"

namespace grantledger::server {

// A query route: the CLI command path ("balance", "projections/status") and its parameters (flag
// names without dashes, as the CLI spells them).
struct QueryCall {
  std::vector<std::string> command;
  std::vector<std::pair<std::string, std::string>> params;
};

// ok when `key` may make `call`; otherwise a Status whose message says why (the service answers
// 403). Finance officers read their own entity only: `balance --entity E`, `history --entity E`
// and `claims --entity E` with E their scope (so not the reconciliation view, {"reconcile",
// "view"}); every other role but the log key reads everything.
Status may_read(const KeyState& key, const QueryCall& call);

// ok when `key` may post submissions: any registered, unrevoked key except the log key (which
// signs checkpoints and commits, never submissions). The rules then judge the submission itself.
Status may_submit(const KeyState& key);

// The parameters a request may not set: they name files or servers on the service's machine.
bool reserved_parameter(const std::string& name);

}  // namespace grantledger::server
