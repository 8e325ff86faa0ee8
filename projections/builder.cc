#include "projections/builder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "ledger/log_reader.h"
#include "ledger/sha256.h"
#include "ledger/stored_value.h"
#include "projections/projection.h"
#include "projections/projection_store.h"
#include "projections/registry.h"

namespace grantledger::projections {

namespace {
const std::string_view kKeySpaceEnd("\xff", 1);
std::string error_key(const std::string& name) { return "error/" + name; }
}  // namespace

namespace {
// A projection's applied position in proj_meta: absent (0) or exactly 8 bytes.
Result<uint64_t> stored_position(const std::optional<Bytes>& value, const std::string& name) {
  if (!value) return uint64_t{0};
  return decode_stored_u64("proj_meta", applied_position_key(name), *value);
}
}  // namespace

std::string applied_position_key(const std::string& name) { return "applied/" + name; }

bool projection_present(Ledger& ledger, const ProjectionEntry& entry) { return ledger.store().cf(entry.cf) != nullptr; }

std::vector<std::string> projection_names() {
  std::vector<std::string> names;
  for (const ProjectionEntry& e : projection_registry()) names.push_back(e.name);
  return names;
}

Builder::Builder(Ledger& ledger)
    : ledger_(ledger),
      store_(std::make_unique<ProjectionStore>(ledger)),
      projections_(make_projections(ledger, *store_, nullptr)),
      lanes_(split_into_lanes(projections_, kMaxBuilderLanes)) {}

Builder::Builder(Ledger& ledger, const std::vector<std::string>& only)
    : ledger_(ledger),
      store_(std::make_unique<ProjectionStore>(ledger)),
      projections_(make_projections(ledger, *store_, &only)),
      lanes_(split_into_lanes(projections_, kMaxBuilderLanes)) {
  GL_ASSERT(projections_.size() == only.size());  // the caller names every projection it wants once
}

Builder::~Builder() = default;

Status Builder::catch_up() { return catch_up_limited(UINT64_MAX); }

Status Builder::catch_up_limited(uint64_t max_commits) {
  GL_ASSIGN_OR_RETURN(Head head, ledger_.head());
  if (lanes_.size() == 1) return catch_up_lane(lanes_[0], head.commit_count, max_commits);
  std::vector<Status> results(lanes_.size(), Status::ok());
  {
    std::vector<std::jthread> others;
    for (size_t i = 1; i < lanes_.size(); ++i)
      others.emplace_back([&, i] { results[i] = catch_up_lane(lanes_[i], head.commit_count, max_commits); });
    results[0] = catch_up_lane(lanes_[0], head.commit_count, max_commits);
  }  // joined
  for (Status& s : results)
    if (!s.is_ok()) return s;
  return Status::ok();
}

Status Builder::catch_up_lane(const std::vector<Projection*>& lane, uint64_t head_commits, uint64_t max_commits) {
  ProjectionStore& store = *store_;
  // Each projection moves from its own position to at most `max_commits` further; all of them
  // read each event and its postings once.
  struct Progress {
    Projection* p;
    uint64_t applied, target;
    bool failed = false;
  };
  std::vector<Progress> progress;
  uint64_t from = UINT64_MAX, to = 0;
  for (Projection* p : lane) {
    GL_ASSIGN_OR_RETURN(std::optional<Bytes> applied_bytes, store.get(Cf::kProjMeta, applied_position_key(p->name())));
    GL_ASSIGN_OR_RETURN(uint64_t applied, stored_position(applied_bytes, p->name()));
    uint64_t target = max_commits >= head_commits ? head_commits : std::min(head_commits, applied + max_commits);
    progress.push_back({p, applied, target});
    from = std::min(from, applied);
    to = std::max(to, target);
  }
  Status first_failure = Status::ok();
  // Changes not yet in a written batch must not outlive a return that did not write them: the next
  // catch-up re-applies those commits from the stored position.
  struct DiscardUnwritten {
    const std::vector<Projection*>& projections;
    ~DiscardUnwritten() {
      for (Projection* p : projections) p->discard_unwritten();
    }
  } discard_unwritten{lane};
  auto record_failure = [&](Progress& pr, const Status& failed) {
    pr.p->discard();
    pr.failed = true;
    spdlog::error("{}", failed.to_string());
    ProjectionBatch error = store.batch();
    error.put(Cf::kProjMeta, error_key(pr.p->name()), failed.to_string());
    // Best effort: the failure is returned either way; a stored error only helps `status` say why.
    store.write(error, "record projection error").ignore_error();
    if (first_failure.is_ok()) first_failure = failed;
  };
  // The log itself cannot be read at commit `c`: every projection that still needs it stops there,
  // so `status` shows why none of them moves on.
  auto log_failure = [&](uint64_t sequence, const Status& s) {
    for (Progress& pr : progress)
      if (!pr.failed && sequence >= pr.applied && sequence < pr.target)
        record_failure(pr, s.with_context("projection " + pr.p->name() + ": commit " + std::to_string(sequence) + ": "));
    return first_failure;
  };
  while (from < to) {
    // One snapshot per batch: the events, the postings and the commits that vouch for them.
    GL_ASSIGN_OR_RETURN(std::unique_ptr<LogReader> reader, LogReader::open(ledger_, {.postings = true}));
    GL_RETURN_IF_ERROR(reader->seek(from));
    uint64_t events_in_batch = 0;
    uint64_t next = from;
    while (next < to && next - from < kMaxCommitsPerProjectionBatch) {
      GL_ASSIGN_OR_RETURN(const CommitRecord* c, reader->next_commit());
      if (!c) return Status::corruption("projections: commit " + std::to_string(next) + " is missing");
      while (true) {
        auto read = reader->next_event();
        if (!read) return log_failure(c->info.sequence, read.error());
        const LogEvent* e = *read;
        if (!e) break;
        for (Progress& pr : progress) {
          if (pr.failed || c->info.sequence < pr.applied || c->info.sequence >= pr.target) continue;
          Status s = apply_event(*pr.p, *c, e->index, e->event(), e->postings);
          if (!s.is_ok()) record_failure(pr, s);  // this projection stops here; the others go on
        }
      }
      events_in_batch += c->info.event_count;
      next = c->info.sequence + 1;
      if (events_in_batch >= kMaxEventsPerProjectionBatch) break;
    }
    // Every projection's changes together with its new position, atomically.
    ProjectionBatch batch = store.batch();
    for (Progress& pr : progress) {
      if (pr.failed || next <= pr.applied) continue;
      uint64_t position = std::min(next, pr.target);
      pr.p->flush(&batch);
      batch.put(Cf::kProjMeta, applied_position_key(pr.p->name()), u64_be(position));
      batch.remove(Cf::kProjMeta, error_key(pr.p->name()));
      pr.applied = position;
    }
    Status written = store.write(batch, "write projections");
    if (!written.is_ok()) {
      for (Projection* p : lane) p->discard();
      return written;
    }
    from = next;
  }
  return first_failure;
}

Status Builder::rebuild() {
  GL_RETURN_IF_ERROR(clear());
  return catch_up();
}

Status Builder::clear() {
  ProjectionStore& store = *store_;
  for (auto& p : projections_) {
    p->discard();
    // Every projection key is text (account names, "entity/...", "claim/..."): all sort below
    // 0xff, so one range deletion clears the family. A key at or above it is a damaged store.
    {
      ProjectionCursor it = store.cursor(p->cf());
      it.seek(kKeySpaceEnd);
      if (it.valid())
        return Status::corruption("projection " + p->name() + ": stored key " + printable_stored_key(it.key()) +
                                  " is not a projection key; the family is damaged");
      GL_RETURN_IF_ERROR(it.status("scan projection " + p->name()));
    }
    ProjectionBatch batch = store.batch();
    batch.clear(p->cf());
    batch.remove(Cf::kProjMeta, applied_position_key(p->name()));
    batch.remove(Cf::kProjMeta, error_key(p->name()));
    GL_RETURN_IF_ERROR(store.write(batch, "clear projection " + p->name()));
  }
  return Status::ok();
}

Result<uint64_t> applied_position(const ProjectionStore::View& view, const std::string& name) {
  GL_ASSIGN_OR_RETURN(std::optional<Bytes> applied_bytes, view.get(Cf::kProjMeta, applied_position_key(name)));
  return stored_position(applied_bytes, name);
}

Result<Hash32> projection_digest(Ledger& ledger, const std::string& name, Cf cf) {
  ProjectionStore store(ledger);
  return projection_digest(store.view(), name, cf);
}

namespace {

// projection_digest's hash: the name, the position, then each key and value with its length. The
// entries are hashed in runs of about 64 KiB: the same bytes in the same order (so the same
// digest) with one update per run instead of four per key.
class DigestWriter {
 public:
  DigestWriter(const std::string& name, uint64_t applied) {
    sha_.update(name);
    sha_.update(u64_be(applied));
    run_.reserve(kRunBytes);
  }
  void add(std::string_view key, std::string_view value) {
    put_u64_be(&run_, key.size());
    run_.append(key);
    put_u64_be(&run_, value.size());
    run_.append(value);
    if (run_.size() >= kRunBytes) {
      sha_.update(run_);
      run_.clear();
    }
  }
  Hash32 finish() {
    sha_.update(run_);
    return sha_.finish();
  }

 private:
  static constexpr size_t kRunBytes = 64 << 10;
  Sha256 sha_;
  Bytes run_;
};

}  // namespace

Result<Hash32> projection_digest(const ProjectionStore::View& view, const std::string& name, Cf cf) {
  GL_ASSIGN_OR_RETURN(uint64_t applied, applied_position(view, name));
  DigestWriter digest(name, applied);
  ProjectionCursor it = view.cursor(cf);
  for (it.seek_to_first(); it.valid(); it.next()) digest.add(it.key(), it.value());
  GL_RETURN_IF_ERROR(it.status("scan projection " + name));
  return digest.finish();
}

Result<ProjectionComparison> compare_projection(const ProjectionStore::View& stored, const ProjectionStore::View& recomputed,
                                                const std::string& name) {
  const ProjectionEntry* entry = find_projection(name);
  if (!entry) return Status::invalid_argument("no projection is named " + name);
  GL_ASSIGN_OR_RETURN(uint64_t applied, applied_position(stored, name));
  DigestWriter digest(name, applied);
  ProjectionCursor x = stored.cursor(entry->cf), y = recomputed.cursor(entry->cf);
  x.seek_to_first();
  y.seek_to_first();
  std::string found;
  // Every stored entry goes into the digest; the recomputed ones are read up to the first difference.
  for (; x.valid(); x.next()) {
    if (found.empty()) {
      if (!y.valid() || x.key() < y.key())
        found = printable_stored_key(x.key()) + " (stored, not recomputed)";
      else if (y.key() < x.key())
        found = printable_stored_key(y.key()) + " (recomputed, not stored)";
      else if (x.value() != y.value())
        found = printable_stored_key(x.key()) + " (values differ)";
      else
        y.next();
    }
    digest.add(x.key(), x.value());
  }
  if (found.empty() && y.valid()) found = printable_stored_key(y.key()) + " (recomputed, not stored)";
  GL_RETURN_IF_ERROR(x.status("scan projection " + name));
  GL_RETURN_IF_ERROR(y.status("scan projection " + name));
  return ProjectionComparison{digest.finish(), std::move(found)};
}

Result<uint64_t> applied_commits(Ledger& ledger) {
  ProjectionStore store(ledger);
  uint64_t lowest = UINT64_MAX;
  for (const ProjectionEntry& e : projection_registry()) {
    if (!projection_present(ledger, e)) continue;  // a read-only open of a ledger from before it
    const std::string name = e.name;
    GL_ASSIGN_OR_RETURN(std::optional<Bytes> applied_bytes, store.get(Cf::kProjMeta, applied_position_key(name)));
    GL_ASSIGN_OR_RETURN(uint64_t applied, stored_position(applied_bytes, name));
    lowest = std::min<uint64_t>(lowest, applied);
    // A stopped projection answers nothing: its figures stop at a commit it could not apply.
    GL_ASSIGN_OR_RETURN(std::optional<Bytes> error, store.get(Cf::kProjMeta, error_key(name)));
    if (error)
      return Status::corruption("projection " + name + " is stopped: " + *error +
                                " (grantledger projections status shows it; projections rebuild repairs it)");
  }
  return lowest == UINT64_MAX ? 0 : lowest;
}

Result<std::vector<ProjectionStatus>> Builder::status(bool digests) {
  ProjectionStore& store = *store_;
  GL_ASSIGN_OR_RETURN(Head head, ledger_.head());
  std::vector<ProjectionStatus> out;
  for (auto& p : projections_) {
    ProjectionStatus s;
    s.name = p->name();
    GL_ASSIGN_OR_RETURN(std::optional<Bytes> applied_bytes, store.get(Cf::kProjMeta, applied_position_key(p->name())));
    GL_ASSIGN_OR_RETURN(s.applied_commits, stored_position(applied_bytes, p->name()));
    s.lag_commits = head.commit_count - s.applied_commits;
    GL_ASSIGN_OR_RETURN(std::optional<Bytes> error, store.get(Cf::kProjMeta, error_key(p->name())));
    if (error) s.error = *error;
    if (digests) {
      GL_ASSIGN_OR_RETURN(s.digest, projection_digest(ledger_, p->name(), p->cf()));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace grantledger::projections
