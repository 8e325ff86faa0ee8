// Domain rejections: the numbered reasons a ledger rule refuses a write.
//
// The numbers are stable (spec/DOMAIN.md, "Rejections"): reports, tests and users' scripts name
// them. Never renumber; add new ones at the end.
#pragma once

#include <string>

#include "ledger/status.h"

namespace grantledger {

enum class Rejection : int {
  kUnknownSigner = 1,         // the commit's signer key is not registered
  kRevokedSigner = 2,         // the signer key was revoked before this commit
  kRoleNotAllowed = 3,        // the signer's role may not submit this event type
  kBadGenesis = 4,            // the first commit is not [admin key, log key] signed by the admin
  kKeyAlreadyRegistered = 5,  // a key ID is registered once, ever
  kKeyNotFound = 6,           // revoking a key that was never registered
  kKeyAlreadyRevoked = 7,
  kLastAdminKey = 8,          // revoking the last active admin key would lock the ledger
  kBadKeyScope = 9,           // finance officer keys need an entity scope; others have none
  kEntityAlreadyExists = 10,
  kEntityNotFound = 11,
  kEntityClosed = 12,
  kBadEntityParent = 13,      // a municipality's region must be a registered region
  kInvalidValue = 14,         // a field value breaks a rule (empty name, negative population)
  kLogKeyRole = 15,           // a log key is registered only in the genesis commit
};

const char* rejection_name(Rejection r);

// Status rejected("rule 3 role_not_allowed: " + detail).
Status reject(Rejection r, const std::string& detail);

}  // namespace grantledger
