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
  }
}

# A signer key enters the log. Key ID = SHA-256(raw 32-byte Ed25519 public key).
struct KeyRegistered {
  publicKey @0 :Data;          # raw Ed25519 public key, 32 bytes; JSON: 64 hex digits
  role @1 :Role;
  name @2 :Text;               # who holds it, e.g. "admin", "Lemvig Kommune økonomi"
  scopeEntity @3 :Text $optional;  # financeOfficer keys: the entity code they act for
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
}

# Signature = Ed25519(signer, "grantledger/commit/v1\n" || canonical(body)).
# Commit hash = SHA-256(canonical(Commit)).
struct Commit {
  body @0 :CommitBody;
  signature @1 :Data;
}
