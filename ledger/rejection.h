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
  kOutOfScope = 16,           // a finance officer acts only for its scope entity
  kProgrammeAlreadyExists = 17,
  kProgrammeNotFound = 18,
  kProgrammeClosed = 19,
  kInsufficientFunds = 20,    // an account with a floor would go below zero (pool, share, allocation)
  kBadSplit = 21,             // allocation lines do not sum to the amount or differ from the key's split
  kWrongRecipient = 22,       // recipient is not an open entity of the sector's kind, or listed twice
  kPaymentAlreadyExists = 23,
  kPaymentNotFound = 24,
  kPersonalIdentifier = 25,   // a participant looks like a CPR number; use a pseudonym
  kClaimAlreadyExists = 26,
  kClaimNotFound = 27,
  kClaimWrongState = 28,      // e.g. approving a claim that is already paid
  kOverReimbursement = 29,    // claims on a course payment exceed its amount times the rate
  kClaimDeadlinePassed = 30,
  kCourseKindNotFunded = 31,
  kPaymentDateOutsideWindow = 32,
  kCourseStartOutsideWindow = 33,
  kParticipantCapExceeded = 34,
  kExceedsRemainingAllocation = 35,
  kSegregationOfDuties = 36,  // the key that claimed never approves, rejects or pays
  kDuplicatePaymentReference = 37,
  kNotReversible = 38,        // the event does not exist, is not reversible, or is already reversed
  kOpenReservations = 39,     // a programme with approved, unpaid claims cannot close
  kBadReconciliation = 40,    // a reconciliation record is malformed (hash, window, class totals)
  kAmountLimit = 41,          // an amount above kMaxAmountOre, or a balance or total beyond 64 bits
  kNotProgrammeOwner = 42,    // a programme administrator acts only in programmes of bodies it acts for
  kProjectAlreadyExists = 43,
  kProjectNotFound = 44,
  kProjectClosed = 45,
  kOutsideProjectPeriod = 46, // expenditure dated outside the project period
  kExceedsProjectGrant = 47,  // reported expenditure beyond what is left of the grant
  kExceedsReported = 48,      // a project payment beyond its reported, unpaid expenditure
  kBadInitiative = 49,        // theme, kind, sector part, owner or parent of an initiative do not fit
  kSectorPartExists = 50,     // a sector-wise initiative has one part per sector
  kOutsideSectorPart = 51,    // a sector-wise initiative's money moves to a sector only in that sector's part
};

const char* rejection_name(Rejection r);

// Status rejected("rule 3 role_not_allowed: " + detail).
Status reject(Rejection r, const std::string& detail);

}  // namespace grantledger
