#include "projections/feed.h"

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "projections/builder.h"
#include "projections/projection.h"
#include "projections/registry.h"

namespace grantledger::projections {

namespace {
// Events between writes of the overlays into families kept in memory: no I/O to amortize there.
constexpr uint64_t kInMemoryEventsPerWrite = 1000;
}  // namespace

// Lanes 1.. of a feed, each on a thread of its own, run together with lane 0 (on the caller's
// thread) by run(), which returns when all are done.
class Feed::Helpers {
 public:
  explicit Helpers(size_t lanes) {
    for (size_t lane = 1; lane < lanes; ++lane) threads_.emplace_back([this, lane] { loop(lane); });
  }
  ~Helpers() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    start_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  void run(const std::function<void(size_t lane)>& job) {
    {
      std::lock_guard lock(mu_);
      job_ = &job;
      ++round_;
      running_ = threads_.size();
    }
    start_.notify_all();
    job(0);
    std::unique_lock lock(mu_);
    done_.wait(lock, [&] { return running_ == 0; });
    job_ = nullptr;
  }

 private:
  void loop(size_t lane) {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(size_t)>* job;
      {
        std::unique_lock lock(mu_);
        start_.wait(lock, [&] { return stopping_ || round_ != seen; });
        if (stopping_) return;
        seen = round_;
        job = job_;
      }
      (*job)(lane);
      std::lock_guard lock(mu_);
      if (--running_ == 0) done_.notify_one();
    }
  }

  std::mutex mu_;
  std::condition_variable start_, done_;
  const std::function<void(size_t)>* job_ = nullptr;
  uint64_t round_ = 0;
  size_t running_ = 0;  // helpers still in this round
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

Feed::Feed(Ledger& log, Store& scratch, const std::vector<std::string>& only, size_t lanes)
    : store_(scratch, ProjectionStore::Scratch{}), max_unwritten_events_(kMaxEventsPerProjectionBatch) {
  add_projections(log, only, lanes);
}

Feed::Feed(Ledger& log, const std::vector<std::string>& only, size_t lanes)
    : store_(ProjectionStore::InMemory{}), max_unwritten_events_(kInMemoryEventsPerWrite) {
  add_projections(log, only, lanes);
}

void Feed::add_projections(Ledger& log, const std::vector<std::string>& only, size_t lanes) {
  std::vector<std::unique_ptr<Projection>> made;
  for (const ProjectionEntry& e : projection_registry())
    if (only.empty() || std::find(only.begin(), only.end(), e.name) != only.end()) made.push_back(e.make(log, store_, e.name, e.cf));
  const std::vector<std::vector<Projection*>> split = split_into_lanes(made, lanes);
  running_.reserve(made.size());  // the lanes point into it
  for (auto& p : made) running_.push_back({std::move(p), {}});
  for (const std::vector<Projection*>& projections : split) {
    std::vector<Running*>& lane = lanes_.emplace_back();
    for (Projection* p : projections)
      lane.push_back(&*std::find_if(running_.begin(), running_.end(), [&](const Running& r) { return r.projection.get() == p; }));
  }
  if (lanes_.size() > 1) helpers_ = std::make_unique<Helpers>(lanes_.size());
}

Feed::~Feed() = default;

void Feed::apply_lane(const std::vector<Running*>& lane, const CommitRecord& c, const std::vector<FedEvent>& events) {
  for (const FedEvent& e : events) {
    for (Running* r : lane) {
      if (!r->error.empty()) continue;
      Status s = apply_event(*r->projection, c, e.index, e.event, *e.postings);
      if (!s.is_ok()) {
        r->projection->discard();
        r->error = s.to_string();
      }
    }
  }
}

Status Feed::apply(const CommitRecord& c, const std::vector<FedEvent>& events) {
  // Each projection reads only its own family (and the log); the store is written below, once
  // every lane is done.
  if (helpers_ && events.size() >= kMinEventsToSplit) {
    helpers_->run([&](size_t lane) { apply_lane(lanes_[lane], c, events); });
  } else {
    for (const std::vector<Running*>& lane : lanes_) apply_lane(lane, c, events);
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
