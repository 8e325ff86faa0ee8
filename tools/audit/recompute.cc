#include "tools/audit/recompute.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#include "ledger/sha256.h"
#include "projections/registry.h"

namespace grantledger::audit {

namespace {
std::string short_hex(const Hash32& h) { return to_hex(h).substr(0, 16); }
}  // namespace

Result<std::unique_ptr<Recomputation>> Recomputation::create(Ledger& audited, const std::string& scratch_dir,
                                                             const std::map<std::string, uint64_t>& positions, size_t lanes) {
  std::unique_ptr<Recomputation> r(new Recomputation());
  if (scratch_dir.empty()) {
    r->feed_ = std::make_unique<projections::Feed>(audited, std::vector<std::string>{}, lanes);
  } else {
    GL_ASSIGN_OR_RETURN(r->scratch_, Store::open(scratch_dir, Store::Mode::kCreate));
    r->feed_ = std::make_unique<projections::Feed>(audited, *r->scratch_, std::vector<std::string>{}, lanes);
  }
  for (const auto& [name, position] : positions) r->targets_[position].push_back(name);
  GL_RETURN_IF_ERROR(r->take_views());
  return r;
}

Recomputation::~Recomputation() {
  taken_.clear();  // the snapshots before the store they are of
  feed_.reset();
}

Status Recomputation::take_views() {
  auto it = targets_.find(position_);
  if (it == targets_.end()) return Status::ok();
  GL_ASSIGN_OR_RETURN(projections::ProjectionStore::View view, feed_->view());
  auto shared = std::make_shared<projections::ProjectionStore::View>(std::move(view));
  for (const std::string& name : it->second) taken_[name] = Taken{shared, feed_->error(name)};
  return Status::ok();
}

Status Recomputation::add(uint64_t sequence, const CommitRecord* record, const std::vector<ReplayedEvent>& events) {
  // Commits the log lacks (already findings): the projections cannot pass them.
  while (position_ < sequence) {
    feed_->stop(Status::corruption("commit " + std::to_string(position_) + " is missing"));
    ++position_;
    GL_RETURN_IF_ERROR(take_views());
  }
  Status unreadable = Status::ok();
  if (!record) unreadable = Status::corruption("commit " + std::to_string(sequence) + " does not decode");
  std::vector<projections::FedEvent> fed;
  fed.reserve(events.size());
  for (const ReplayedEvent& e : events) {
    if (!unreadable.is_ok()) break;
    if (!e.msg)
      unreadable = Status::corruption("event " + std::to_string(e.index) + " is missing or does not decode");
    else if (!e.leaf_ok)
      unreadable = Status::corruption("event " + std::to_string(e.index) + " does not hash to the leaf commit " +
                                      std::to_string(sequence) + " signed");
    else
      fed.push_back({e.index, e.msg->root<schema::Event>(), e.postings});
  }
  if (unreadable.is_ok()) {
    GL_RETURN_IF_ERROR(feed_->apply(*record, fed));
  } else {
    feed_->stop(unreadable);
  }
  ++position_;
  return take_views();
}

Status Recomputation::compare(Ledger& audited, const std::vector<projections::ProjectionStatus>& stored, uint64_t commit_count,
                              int threads, std::vector<ProjectionCheck>* checks, std::vector<Finding>* findings) {
  auto finding = [&](const std::string& name, std::string reason) {
    findings->push_back(Finding{FindingClass::kProjection, std::nullopt, std::nullopt, std::nullopt, name, std::move(reason)});
  };
  projections::ProjectionStore audited_store(audited);
  const projections::ProjectionStore::View audited_view = audited_store.view();
  // Each stored projection, in the stored order: beyond the log, not recomputable (its error), or
  // compared key by key with its recomputation. The comparisons run first, each pair of families on
  // one thread, the costliest first; the findings are then reported in the stored order.
  struct Check {
    const projections::ProjectionStatus* stored;
    const Taken* taken = nullptr;  // null: the stored position is beyond the log
    const projections::ProjectionEntry* entry = nullptr;
    std::optional<Result<projections::ProjectionComparison>> comparison;  // set when compared
  };
  std::vector<Check> all;
  std::vector<Check*> to_compare;
  for (const auto& s : stored) {
    Check& c = all.emplace_back(Check{&s, nullptr, nullptr, std::nullopt});
    if (s.applied_commits > commit_count) continue;
    auto it = taken_.find(s.name);
    c.entry = projections::find_projection(s.name);
    GL_ASSERT(it != taken_.end() && c.entry);  // every stored position up to commit_count was passed
    c.taken = &it->second;
  }
  for (Check& c : all)
    if (c.taken && c.taken->error.empty()) to_compare.push_back(&c);
  std::stable_sort(to_compare.begin(), to_compare.end(), [](const Check* a, const Check* b) { return a->entry->cost > b->entry->cost; });
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < to_compare.size();)
      to_compare[i]->comparison = projections::compare_projection(audited_view, *to_compare[i]->taken->view, to_compare[i]->stored->name);
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < threads && static_cast<size_t>(t) < to_compare.size(); ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();

  for (Check& c : all) {
    const projections::ProjectionStatus& s = *c.stored;
    if (!c.taken) {
      finding(s.name, "projection " + s.name + " claims " + std::to_string(s.applied_commits) + " applied commits; the log has " +
                          std::to_string(commit_count));
      continue;
    }
    if (!c.taken->error.empty()) {
      finding(s.name, "projection " + s.name + " cannot be recomputed from the log: " + c.taken->error);
      continue;
    }
    GL_ASSIGN_OR_RETURN(projections::ProjectionComparison compared, std::move(*c.comparison));
    const std::string& key = compared.first_differing_key;
    ProjectionCheck check{s.name, s.applied_commits, compared.stored_digest, compared.stored_digest, true};
    // The recomputed digest (over the same position, keys and values) is worked out only when the
    // families differ: when they do not, it is the stored one.
    if (!key.empty()) {
      GL_ASSIGN_OR_RETURN(check.recomputed_digest, projections::projection_digest(*c.taken->view, s.name, c.entry->cf));
      check.equal = false;
      finding(s.name, "projection " + s.name + " at " + std::to_string(s.applied_commits) + " commits: stored digest " +
                          short_hex(check.stored_digest) + " differs from the recomputed " + short_hex(check.recomputed_digest) +
                          "; first differing key " + key);
    }
    checks->push_back(std::move(check));
  }
  return Status::ok();
}

}  // namespace grantledger::audit
