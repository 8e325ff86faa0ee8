// Projection builders: read models derived from the log (spec/PROJECTIONS.md).
//
// Each projection consumes commits in order from its last applied commit, reading the events and
// the postings the rules derived for them (`postings` column family), and writes its changes to its
// own column family in one WriteBatch together with its new applied position: a crash leaves it
// either before or after a batch, never half-applied or applied twice. `rebuild` clears a
// projection and replays it from the first commit; its state is byte-identical to the incremental
// one, which the digests prove.
//
// The projections are listed once, in projections/registry.h; their read models are in
// projections/read_models.h. The builder reads the log through LogReader (each event checked
// against its commit's leaf hash, its stored postings decoded) and writes through ProjectionStore.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "projections/projection_store.h"

namespace grantledger::projections {

inline constexpr uint64_t kMaxEventsPerProjectionBatch = 20000;
inline constexpr uint64_t kMaxCommitsPerProjectionBatch = 1000;
// A catch-up splits the projections into at most this many lanes, each on its own thread with its
// own reading of the log (at most one lane per hardware thread). Projections read only their own
// family, so the lanes share nothing but the log they read.
inline constexpr unsigned kMaxBuilderLanes = 2;

struct ProjectionStatus {
  std::string name;
  uint64_t applied_commits = 0;  // commits 0 .. applied_commits - 1 are applied
  uint64_t lag_commits = 0;      // commits in the log not yet applied
  Hash32 digest{};               // SHA-256 of the canonical state at applied_commits (when asked for)
  std::string error;             // the last failure, naming the event; empty when healthy
};

class Projection;

class Builder {
 public:
  // REQUIRES: `ledger` opened read-write (with or without writer) for catch_up and rebuild;
  // read-only suffices for status and queries.
  explicit Builder(Ledger& ledger);
  // Only the named projections (a subset of projection_names()): builders over disjoint subsets
  // may run on separate threads over one ledger (the audit recomputes on both cores).
  Builder(Ledger& ledger, const std::vector<std::string>& only);
  ~Builder();

  // Applies every commit after each projection's position, up to the head when it starts; the
  // lanes run in parallel. A projection stops at its first failing event (the others go on),
  // records the error for `status`; the first such error (in lane order) is returned.
  Status catch_up();
  // As catch_up, but applies at most `max_commits` commits (tests simulate a crash with it).
  Status catch_up_limited(uint64_t max_commits);
  // Clears every projection: state, position and error, as if it had never run.
  Status clear();
  // Clears every projection and replays it from the first commit.
  Status rebuild();
  // Every projection's position, lag and error; with `digests`, also its digest (a scan of its
  // whole family).
  Result<std::vector<ProjectionStatus>> status(bool digests = true);

 private:
  // One lane's catch-up: `lane`'s projections to at most `max_commits` past their positions, not
  // past `head_commits`.
  Status catch_up_lane(const std::vector<Projection*>& lane, uint64_t head_commits, uint64_t max_commits);

  Ledger& ledger_;
  std::unique_ptr<ProjectionStore> store_;  // before projections_, which refer to it
  std::vector<std::unique_ptr<Projection>> projections_;  // registry order
  std::vector<std::vector<Projection*>> lanes_;           // projections_, split by cost
};

// The number of commits every projection has applied (the lowest position): what a query's
// figures reflect. Reads two keys per projection. corruption if a projection is stopped (its
// last catch-up failed; status() says where).
Result<uint64_t> applied_commits(Ledger& ledger);

// Every projection's name, in the order status() lists them (projections/registry.h).
std::vector<std::string> projection_names();

// A registry entry: an entity (kind = EntityKind ordinal) or a programme (kind 0, with total; an
// initiative with its theme, programme kind and sector part, as JSON names them, else empty).
struct RegistryRecord {
  uint8_t kind = 0;
  std::string name, parent;
  Ore total_ore;
  std::string theme, programme_kind, sector_part;
};
Bytes encode_registry(uint8_t kind, const std::string& name, const std::string& parent, Ore total_ore = {});
// The initiative fields are written only when set, so records without them keep their bytes.
Bytes encode_registry(const RegistryRecord& record);
// false when the stored bytes are not a registry record (a JSON object with the fields' types).
bool decode_registry(std::string_view bytes, RegistryRecord* out);

// Registry key holding the earliest effective date in the log (u64 BE of the day as uint32).
inline constexpr const char* kFirstEffectiveDateKey = "log/first_effective_date";

// The projection's digest: SHA-256 over its position and every key and value of its family.
// Reads one snapshot of the projection's families. corruption if its position is not 8 bytes.
Result<Hash32> projection_digest(Ledger& ledger, const std::string& name, Cf cf);
// The same, over a snapshot already taken.
Result<Hash32> projection_digest(const ProjectionStore::View& view, const std::string& name, Cf cf);

// Projection `name` compared between two snapshots (the audited ledger's and the audit's
// recomputation) in one pass over both families.
struct ProjectionComparison {
  Hash32 stored_digest{};  // projection_digest(stored, ...)
  // The first key in which they differ, for a person: "KEY (values differ)", "KEY (stored, not
  // recomputed)", "KEY (recomputed, not stored)"; empty when the families are equal.
  std::string first_differing_key;
};
// invalid_argument if `name` is no projection; corruption as projection_digest.
Result<ProjectionComparison> compare_projection(const ProjectionStore::View& stored, const ProjectionStore::View& recomputed,
                                                const std::string& name);

// The proj_meta key of a projection's applied position.
std::string applied_position_key(const std::string& name);
// A projection's applied position as proj_meta stores it (0 when absent); corruption if it is not
// 8 bytes.
Result<uint64_t> applied_position(const ProjectionStore::View& view, const std::string& name);

}  // namespace grantledger::projections
