#include "projections/feed.h"

#include <algorithm>

#include "projections/builder.h"
#include "projections/projection.h"
#include "projections/registry.h"

namespace grantledger::projections {

namespace {
// Events between writes of the overlays into families kept in memory: no I/O to amortize there.
constexpr uint64_t kInMemoryEventsPerWrite = 1000;
}  // namespace

Feed::Feed(Ledger& log, Store& scratch, const std::vector<std::string>& only)
    : store_(scratch, ProjectionStore::Scratch{}), max_unwritten_events_(kMaxEventsPerProjectionBatch) {
  add_projections(log, only);
}

Feed::Feed(Ledger& log, const std::vector<std::string>& only)
    : store_(ProjectionStore::InMemory{}), max_unwritten_events_(kInMemoryEventsPerWrite) {
  add_projections(log, only);
}

void Feed::add_projections(Ledger& log, const std::vector<std::string>& only) {
  for (const ProjectionEntry& e : projection_registry())
    if (only.empty() || std::find(only.begin(), only.end(), e.name) != only.end())
      running_.push_back({e.make(log, store_, e.name, e.cf), {}});
}

Feed::~Feed() = default;

Status Feed::apply(const CommitRecord& c, const std::vector<FedEvent>& events) {
  for (const FedEvent& e : events) {
    for (Running& r : running_) {
      if (!r.error.empty()) continue;
      Status s = apply_event(*r.projection, c, e.index, e.event, *e.postings);
      if (!s.is_ok()) {
        r.projection->discard();
        r.error = s.to_string();
      }
    }
  }
  ++commits_;
  unwritten_events_ += events.size() + 1;
  if (unwritten_events_ >= max_unwritten_events_) return write();
  return Status::ok();
}

void Feed::stop(const Status& why) {
  for (Running& r : running_) {
    if (!r.error.empty()) continue;
    r.projection->discard();
    r.error = why.with_context("projection " + r.projection->name() + ": commit " + std::to_string(commits_) + ": ").to_string();
  }
  ++commits_;
}

Status Feed::write() {
  // As the builder writes a batch: each running projection's changes with its position.
  ProjectionBatch batch = store_.batch();
  for (Running& r : running_) {
    if (!r.error.empty()) continue;
    r.projection->flush(&batch);
    batch.put(Cf::kProjMeta, applied_position_key(r.projection->name()), u64_be(commits_));
  }
  unwritten_events_ = 0;
  return store_.write(batch, "write recomputed projections");
}

Result<ProjectionStore::View> Feed::view() {
  GL_RETURN_IF_ERROR(write());
  return store_.view();
}

std::string Feed::error(const std::string& name) const {
  for (const Running& r : running_)
    if (r.projection->name() == name) return r.error;
  return {};
}

}  // namespace grantledger::projections
