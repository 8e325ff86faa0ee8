# grantledger event schema, version 1.
#
# This file is the contract for every byte the ledger hashes and signs. Evolution rules
# (spec/LOG.md, "Schema evolution"):
#   - the file ID below never changes;
#   - field ordinals and union member ordinals are never reused or renumbered;
#   - new fields and new event types are added with the next free ordinal;
#   - a field is never removed: it is renamed to `obsoleteXxx` and left unset;
#   - a field's type never changes.
# Hashing and signing always use Cap'n Proto's canonical form (spec/LOG.md, "Canonical bytes").

@0xeac444fb4d8d5972;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("grantledger::schema");

# Field annotations that give integer fields their meaning in JSON (spec/JSON.md).
annotation date @0xb1e3c3f7a3d1a001 (field) :Void;   # Int32: days since 1970-01-01; JSON "YYYY-MM-DD"
annotation ore @0xb1e3c3f7a3d1a002 (field) :Void;    # Int64: amount in øre; JSON integer
annotation optional @0xb1e3c3f7a3d1a003 (field) :Void;  # may be omitted in JSON (empty / zero)

# A signer's role decides which events its commits may contain (spec/LOG.md, "Keys and roles").
enum Role {
  admin @0;                   # keys, entities, programmes
  log @1;                     # signs checkpoints only; never signs commits
  programmeAdministrator @2;  # allocations, approvals, rejections, payments
  financeOfficer @3;          # course payments and claims, scoped to one entity
  reconciler @4;              # reconciliation records
  auditor @5;                 # submits nothing
}

enum EntityKind {
  municipality @0;      # kommune
  region @1;            # region
  stateInstitution @2;  # statslig institution
  provider @3;          # uddannelsesudbyder
  employer @4;          # arbejdsgiver that is not itself a public entity
}

# ---------------------------------------------------------------------------------------------
# Events. An event is one leaf of the Merkle tree: leaf hash = SHA-256(0x00 || canonical(Event)).

struct Event {
  effectiveDate @0 :Int32 $date;  # the value date: when the money moved or the decision applies

  body :union {
    keyRegistered @1 :KeyRegistered;
    keyRevoked @2 :KeyRevoked;
    entityRegistered @3 :EntityRegistered;
    entityRenamed @4 :EntityRenamed;
    entityClosed @5 :EntityClosed;
    programmeCreated @6 :ProgrammeCreated;
    programmeClosed @7 :ProgrammeClosed;
    sectorShareAllocated @8 :SectorShareAllocated;
    allocationMade @9 :AllocationMade;
    coursePaymentRecorded @10 :CoursePaymentRecorded;
    reimbursementClaimed @11 :ReimbursementClaimed;
    reimbursementApproved @12 :ReimbursementApproved;
    reimbursementRejected @13 :ReimbursementRejected;
    reimbursementPaid @14 :ReimbursementPaid;
    reimbursementCancelled @15 :ReimbursementCancelled;
    eventReversed @16 :EventReversed;
    reconciliationRecorded @17 :ReconciliationRecorded;
    projectGranted @18 :ProjectGranted;
    projectExpenditureReported @19 :ProjectExpenditureReported;
    projectPaid @20 :ProjectPaid;
    projectClosed @21 :ProjectClosed;
    programmeFunded @22 :ProgrammeFunded;
  }
}

# A signer key enters the log. Key ID = SHA-256(raw 32-byte Ed25519 public key).
struct KeyRegistered {
  publicKey @0 :Data;          # raw Ed25519 public key, 32 bytes; JSON: 64 hex digits
  role @1 :Role;
  name @2 :Text;               # who holds it, e.g. "admin", "Lemvig Kommune økonomi"
  scopeEntity @3 :Text $optional;  # financeOfficer keys: the entity code they act for
  actsFor @4 :List(Text) $optional;  # programmeAdministrator keys: the bodies (entity codes) they
                                     # act for; empty: only programmes without an owner
}

struct KeyRevoked {
  keyId @0 :Data;              # 32 bytes; JSON: 64 hex digits
  reason @1 :Text;
}

# Municipalities, regions, state institutions, providers and employers.
struct EntityRegistered {
  kind @0 :EntityKind;
  code @1 :Text;               # municipality/region code ("101", "1084") or a key ("dsb")
  name @2 :Text;
  parentCode @3 :Text $optional;  # a municipality's region code
  population @4 :Int64 $optional; # the population used by allocation keys
}

struct EntityRenamed {
  code @0 :Text;
  name @1 :Text;
}

struct EntityClosed {
  code @0 :Text;
  reason @1 :Text;
}

# ---------------------------------------------------------------------------------------------
# Grants: programmes, allocations, course payments, reimbursements (spec/DOMAIN.md).

enum Sector {
  municipalities @0;     # kommuner
  regions @1;            # regioner
  state @2;              # staten
}

enum CourseKind {
  amu @0;                # arbejdsmarkedsuddannelse
  akademi @1;            # akademiuddannelse (VVU level), e.g. akademiuddannelsen i ledelse
  diplom @2;             # diplomuddannelse (e.g. den offentlige lederuddannelse)
  master @3;             # masteruddannelse (e.g. master i offentlig ledelse)
  other @4;
}

enum AllocationMethod {
  fixed @0;              # amounts as given
  population @1;         # largest remainder by each recipient's registered population
  weights @2;            # largest remainder by the weights given in the lines
}

# Which course payments a programme reimburses: one rule per course kind it funds.
struct EligibilityRule {
  courseKind @0 :CourseKind;
  paymentFrom @1 :Int32 $date;       # payment date window, inclusive
  paymentTo @2 :Int32 $date;
  courseStartFrom @3 :Int32 $date;   # course start window, inclusive
  courseStartTo @4 :Int32 $date;
}

# The themes of the 2019-2022 leadership and competence agreement (spec/DOMAIN.md, "Initiatives").
enum Theme {
  none @0;               # not an initiative of the agreement
  leadership @1;         # styrket offentlig ledelse
  competences @2;        # kompetente ledere og medarbejdere
  workplaces @3;         # velfungerende og attraktive offentlige arbejdspladser
}

# How an initiative is carried out (spec/DOMAIN.md, "Initiatives").
enum ProgrammeKind {
  none @0;               # not an initiative
  crossPublic @1;        # tværoffentlig: state, KL and Danske Regioner together
  sectorWise @2;         # sektorvis: each sector carries it out itself, in a part of its own
  stateOnly @3;          # statslig: the state only
}

# The sector that runs one part of a sector-wise initiative; none for every other programme.
enum SectorPart {
  none @0;
  municipalities @1;
  regions @2;
  state @3;
}

# A subsidy scheme's pool. With parentCode, an earmarked part of the parent's pool.
struct ProgrammeCreated {
  code @0 :Text;
  name @1 :Text;
  totalOre @2 :Int64 $ore;
  periodStart @3 :Int32 $date;
  periodEnd @4 :Int32 $date;
  rules @5 :List(EligibilityRule);
  claimDeadline @6 :Int32 $date;             # claims effective after this day are refused
  rateBasisPoints @7 :UInt32;                # reimbursement rate, 1..10000 (10000 = 100 %)
  capPerParticipantOre @8 :Int64 $ore $optional;  # 0: no cap
  parentCode @9 :Text $optional;
  ownerCode @10 :Text $optional;             # the body (entity) that runs it; empty: no owner
  theme @11 :Theme $optional;                # an initiative's theme; none: not an initiative
  kind @12 :ProgrammeKind $optional;         # an initiative's kind; set with theme
  sector @13 :SectorPart $optional;          # a sector-wise initiative's part: the sector running
                                             # it (parentCode: the initiative)
}

# Adds money to a programme's pool (an initiative recorded with a zero pool gets its money so):
# from its funding account, or for an earmarked part from its parent's unallocated pool.
struct ProgrammeFunded {
  code @0 :Text;
  amountOre @1 :Int64 $ore;
  reason @2 :Text;                           # the decision that adds the money, for people
}

# Closes a programme: unused allocations and sector shares return to its pool; an earmarked
# programme's pool returns to its parent.
struct ProgrammeClosed {
  code @0 :Text;
  reason @1 :Text;
}

# Pool -> a sector's share.
struct SectorShareAllocated {
  programmeCode @0 :Text;
  sector @1 :Sector;
  amountOre @2 :Int64 $ore;
}

struct AllocationLine {
  recipientCode @0 :Text;
  weight @1 :Int64;                  # the key's weight (population, or given); 0 for fixed
  amountOre @2 :Int64 $ore;
}

# A sector's share -> recipients (block grants). The lines must sum to amountOre exactly and,
# for population / weights, equal the largest-remainder split of amountOre by the weights.
struct AllocationMade {
  programmeCode @0 :Text;
  sector @1 :Sector;
  amountOre @2 :Int64 $ore;
  method @3 :AllocationMethod;
  lines @4 :List(AllocationLine);
}

# An employer paid a provider a participant fee (deltagerbetaling) for a course module.
struct CoursePaymentRecorded {
  paymentId @0 :Text;                # unique, chosen by the employer
  employerCode @1 :Text;
  providerCode @2 :Text;
  participant @3 :Text;              # a pseudonym, never a CPR number
  courseKind @4 :CourseKind;
  module @5 :Text;
  courseStartDate @6 :Int32 $date;
  paymentDate @7 :Int32 $date;
  amountOre @8 :Int64 $ore;
}

struct ReimbursementClaimed {
  claimId @0 :Text;                  # unique
  programmeCode @1 :Text;
  paymentId @2 :Text;
  amountOre @3 :Int64 $ore;
}

# Reserves the claim's amount from the employer's remaining allocation.
struct ReimbursementApproved {
  claimId @0 :Text;
}

struct ReimbursementRejected {
  claimId @0 :Text;
  reason @1 :Text;
}

struct ReimbursementPaid {
  claimId @0 :Text;
  paymentReference @1 :Text;         # unique; what reconciliation matches statements on
}

# Releases an approved claim's reservation, or withdraws a claim not yet decided.
struct ReimbursementCancelled {
  claimId @0 :Text;
  reason @1 :Text;
}

# A correction: undoes the effects of an earlier event (a reversal, or a clawback of a paid
# reimbursement). Reversing a reversal restores the original event's effects.
struct EventReversed {
  eventIndex @0 :UInt64;             # the event corrected
  reason @1 :Text;
}

# ---------------------------------------------------------------------------------------------
# Project grants (spec/DOMAIN.md, "Project grants"): a programme's pool -> a named provider's
# project for a period; the provider reports expenditure against it, the programme pays what was
# reported, and what was not spent returns to the pool when the project closes.

# Pool -> the project's grant.
struct ProjectGranted {
  projectCode @0 :Text;              # unique across programmes; no ':'
  programmeCode @1 :Text;
  providerCode @2 :Text;             # a registered, open provider
  name @3 :Text;
  periodStart @4 :Int32 $date;       # the project period, inclusive
  periodEnd @5 :Int32 $date;
  amountOre @6 :Int64 $ore;          # the grant
}

# The provider's expenditure against its grant, dated (effective date) within the period.
struct ProjectExpenditureReported {
  projectCode @0 :Text;
  reportId @1 :Text;                 # the provider's reference for the report, for people
  amountOre @2 :Int64 $ore;
}

# Payment to the provider of reported, unpaid expenditure.
struct ProjectPaid {
  projectCode @0 :Text;
  paymentReference @1 :Text;         # unique across all payouts (rule 37)
  amountOre @2 :Int64 $ore;
}

# Closes a project: what was granted and not reported returns to the programme's pool.
struct ProjectClosed {
  projectCode @0 :Text;
  reason @1 :Text;
}

# ---------------------------------------------------------------------------------------------
# Reconciliation (spec/RECONCILIATION.md): not financial, no postings.

enum StatementFormat {
  camt053 @0;            # ISO 20022 camt.053 bank-to-customer statement (XML)
  csv @1;                # a Danish bank's CSV export
}

# The classes a reconciliation sorts disbursements and statement entries into.
enum ReconciliationClass {
  matched @0;                  # same reference (or amount + payee + date), nothing differs
  missingInStatement @1;       # a live disbursement in the window with no statement entry
  missingInLedger @2;          # a booked debit in the window with no disbursement
  amountDiffers @3;
  payeeDiffers @4;
  dateOutsideTolerance @5;
  duplicateInStatement @6;     # a second statement entry for a reference already matched
  duplicateInLedger @7;        # a second live disbursement for the same course payment and amount
}

struct ReconciliationClassTotal {
  kind @0 :ReconciliationClass;
  count @1 :UInt64;
  ledgerTotalOre @2 :Int64 $ore;     # sum of the disbursements in the class
  statementTotalOre @3 :Int64 $ore;  # sum of the statement entries in the class
}

# One run of `grantledger reconcile`, signed by a reconciler key: which statement was checked
# for which window, and what was found. Recorded once per statement, window and result.
struct ReconciliationRecorded {
  statementSha256 @0 :Data;          # SHA-256 of the statement file's bytes; 32 bytes
  format @1 :StatementFormat;
  windowFrom @2 :Int32 $date;        # inclusive
  windowTo @3 :Int32 $date;          # inclusive
  toleranceDays @4 :UInt32;
  statementEntries @5 :UInt64;       # booked debit entries considered
  disbursements @6 :UInt64;          # live disbursements in the window
  classes @7 :List(ReconciliationClassTotal);  # one per class, in enum order
  statementName @8 :Text $optional;  # the file's base name, for people
}

# ---------------------------------------------------------------------------------------------
# Commits. A commit is an atomic, ordered batch of 1..N events from one signer.

struct CommitBody {
  origin @0 :Text;                # the ledger's origin line; binds the commit to one ledger
  sequence @1 :UInt64;            # 0 for the genesis commit, then +1
  firstEventIndex @2 :UInt64;     # index of the commit's first event (= tree size before it)
  eventCount @3 :UInt32;          # 1..kMaxEventsPerCommit
  recordedAtNs @4 :Int64;         # UTC nanoseconds since 1970-01-01, non-decreasing
  signerKeyId @5 :Data;           # SHA-256 of the signer's raw public key
  idempotencyKey @6 :Text;        # the client's key; empty when none was given
  previousCommitHash @7 :Data;    # commit hash of sequence - 1; 32 zero bytes for genesis
  eventHashes @8 :List(Data);     # leaf hash of every event, in order
  # Log format v2 (spec/LOG.md, "Commits, v2"): the submitter signed a Submission offline.
  formatVersion @9 :UInt32 $optional;          # 0 (absent): v1; 2: v2
  submissionCreatedAtNs @10 :Int64 $optional;  # v2: the submission's createdAtNs
  submissionSignature @11 :Data $optional;     # v2: the submitter's signature over the submission
}

# v1: signature = Ed25519(signer, "grantledger/commit/v1\n" || canonical(body)).
# v2: signature = Ed25519(log key, "grantledger/commit/v2\n" || canonical(body)), and
#     submissionSignature = Ed25519(signer, "grantledger/submission/v1\n" ||
#     canonical(SubmissionBody{origin, idempotencyKey, signerKeyId, submissionCreatedAtNs, eventHashes})).
# Commit hash = SHA-256(canonical(Commit)).
struct Commit {
  body @0 :CommitBody;
  signature @1 :Data;
}

# ---------------------------------------------------------------------------------------------
# Submissions (spec/LOG.md, "Submissions"): what a submitter signs where it writes, with no ledger.

struct SubmissionBody {
  origin @0 :Text;             # the ledger it is meant for; no other ledger accepts it
  idempotencyKey @1 :Text;     # never empty: retries of the submission are recorded once
  signerKeyId @2 :Data;        # SHA-256 of the signer's raw public key
  createdAtNs @3 :Int64;       # UTC nanoseconds when it was signed
  eventHashes @4 :List(Data);  # leaf hash of every event, in order (SHA-256(0x00 || event))
}

# signature = Ed25519(signer, "grantledger/submission/v1\n" || canonical(body)).
struct Submission {
  body @0 :SubmissionBody;
  signature @1 :Data;
  events @2 :List(Data);       # canonical Event bytes, in order; their leaf hashes are body.eventHashes
}

# A submission file (`grantledger sign --out FILE.gls`): canonical bytes of one SubmissionFile.
# Its submissions are appended atomically, in order (all or none).
struct SubmissionFile {
  submissions @0 :List(Submission);
}
