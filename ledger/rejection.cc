#include "ledger/rejection.h"

namespace grantledger {

const char* rejection_name(Rejection r) {
  switch (r) {
    case Rejection::kUnknownSigner: return "unknown_signer";
    case Rejection::kRevokedSigner: return "revoked_signer";
    case Rejection::kRoleNotAllowed: return "role_not_allowed";
    case Rejection::kBadGenesis: return "bad_genesis";
    case Rejection::kKeyAlreadyRegistered: return "key_already_registered";
    case Rejection::kKeyNotFound: return "key_not_found";
    case Rejection::kKeyAlreadyRevoked: return "key_already_revoked";
    case Rejection::kLastAdminKey: return "last_admin_key";
    case Rejection::kBadKeyScope: return "bad_key_scope";
    case Rejection::kEntityAlreadyExists: return "entity_already_exists";
    case Rejection::kEntityNotFound: return "entity_not_found";
    case Rejection::kEntityClosed: return "entity_closed";
    case Rejection::kBadEntityParent: return "bad_entity_parent";
    case Rejection::kInvalidValue: return "invalid_value";
    case Rejection::kLogKeyRole: return "log_key_role";
  }
  return "unknown";
}

Status reject(Rejection r, const std::string& detail) {
  return Status::rejected("rule " + std::to_string(static_cast<int>(r)) + " " + rejection_name(r) +
                          ": " + detail);
}

}  // namespace grantledger
