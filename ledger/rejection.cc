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
    case Rejection::kOutOfScope: return "out_of_scope";
    case Rejection::kProgrammeAlreadyExists: return "programme_already_exists";
    case Rejection::kProgrammeNotFound: return "programme_not_found";
    case Rejection::kProgrammeClosed: return "programme_closed";
    case Rejection::kInsufficientFunds: return "insufficient_funds";
    case Rejection::kBadSplit: return "bad_split";
    case Rejection::kWrongRecipient: return "wrong_recipient";
    case Rejection::kPaymentAlreadyExists: return "payment_already_exists";
    case Rejection::kPaymentNotFound: return "payment_not_found";
    case Rejection::kPersonalIdentifier: return "personal_identifier";
    case Rejection::kClaimAlreadyExists: return "claim_already_exists";
    case Rejection::kClaimNotFound: return "claim_not_found";
    case Rejection::kClaimWrongState: return "claim_wrong_state";
    case Rejection::kOverReimbursement: return "over_reimbursement";
    case Rejection::kClaimDeadlinePassed: return "claim_deadline_passed";
    case Rejection::kCourseKindNotFunded: return "course_kind_not_funded";
    case Rejection::kPaymentDateOutsideWindow: return "payment_date_outside_window";
    case Rejection::kCourseStartOutsideWindow: return "course_start_outside_window";
    case Rejection::kParticipantCapExceeded: return "participant_cap_exceeded";
    case Rejection::kExceedsRemainingAllocation: return "exceeds_remaining_allocation";
    case Rejection::kSegregationOfDuties: return "segregation_of_duties";
    case Rejection::kDuplicatePaymentReference: return "duplicate_payment_reference";
    case Rejection::kNotReversible: return "not_reversible";
    case Rejection::kOpenReservations: return "open_reservations";
    case Rejection::kBadReconciliation: return "bad_reconciliation";
    case Rejection::kAmountLimit: return "amount_limit";
    case Rejection::kNotProgrammeOwner: return "not_programme_owner";
    case Rejection::kProjectAlreadyExists: return "project_already_exists";
    case Rejection::kProjectNotFound: return "project_not_found";
    case Rejection::kProjectClosed: return "project_closed";
    case Rejection::kOutsideProjectPeriod: return "outside_project_period";
    case Rejection::kExceedsProjectGrant: return "exceeds_project_grant";
    case Rejection::kExceedsReported: return "exceeds_reported";
    case Rejection::kBadInitiative: return "bad_initiative";
    case Rejection::kSectorPartExists: return "sector_part_exists";
    case Rejection::kOutsideSectorPart: return "outside_sector_part";
  }
  return "unknown";
}

Status reject(Rejection r, const std::string& detail) {
  return Status::rejected("rule " + std::to_string(static_cast<int>(r)) + " " + rejection_name(r) +
                          ": " + detail);
}

}  // namespace grantledger
