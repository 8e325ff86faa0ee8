#include "projections/append_feed.h"

#include <spdlog/spdlog.h>

#include "ledger/canonical.h"
#include "ledger/message_words.h"
#include "projections/builder.h"
#include "projections/projection.h"
#include "projections/registry.h"

namespace grantledger::projections {

struct AppendFeed::Staged {
  CommitRecord record;  // its info only: what projections read of a commit
  std::vector<Bytes> events;
  std::vector<std::vector<Posting>> postings;
};

struct AppendFeed::Lane {
  std::vector<Projection*> projections;
  std::deque<std::shared_ptr<const Staged>> queue;
  std::thread thread;
};

AppendFeed::AppendFeed(Ledger& ledger, uint64_t max_events) : ledger_(ledger), store_(ledger), max_events_(max_events) {
  auto head = ledger.head();
  if (!head) {
    give_up("the log's head: " + head.error().to_string());
    return;
  }
  start_ = next_ = head->commit_count;
  // Every projection at the head and none stopped (applied_commits refuses a stopped one).
  auto applied = applied_commits(ledger);
  if (!applied || *applied != start_) {
    give_up("the projections are not at the log's head");
    return;
  }
  projections_ = make_projections(ledger, store_, nullptr);
  for (std::vector<Projection*>& projections : split_into_lanes(projections_, kMaxBuilderLanes)) {
    lanes_.push_back(std::make_unique<Lane>());
    lanes_.back()->projections = std::move(projections);
  }
  for (auto& lane : lanes_) lane->thread = std::thread([this, l = lane.get()] { run(*l); });
}

AppendFeed::~AppendFeed() { stop_lanes(); }

void AppendFeed::stop_lanes() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
  for (auto& lane : lanes_)
    if (lane->thread.joinable()) lane->thread.join();
}

void AppendFeed::give_up(const std::string& why) {
  std::lock_guard lock(mu_);
  if (gave_up_.empty()) gave_up_ = why;
  for (auto& lane : lanes_) lane->queue.clear();
}

StagedObserver AppendFeed::observer() {
  return [this](const StagedCommit& staged) {
    {
      std::lock_guard lock(mu_);
      if (!gave_up_.empty()) return;
    }
    if (staged.info.sequence != next_) return give_up("commit " + std::to_string(next_) + " was not staged here");
    next_ = staged.info.sequence + 1;
    fed_events_ += staged.events.size();
    if (fed_events_ > max_events_) return give_up("more than " + std::to_string(max_events_) + " events");
    auto copy = std::make_shared<Staged>();
    copy->record.info = staged.info;
    copy->events = staged.events;
    copy->postings = staged.postings;
    {
      std::lock_guard lock(mu_);
      for (auto& lane : lanes_) lane->queue.push_back(copy);
    }
    cv_.notify_all();
  };
}

void AppendFeed::run(Lane& lane) {
  for (;;) {
    std::shared_ptr<const Staged> staged;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return closed_ || !lane.queue.empty(); });
      if (lane.queue.empty()) return;
      staged = std::move(lane.queue.front());
      lane.queue.pop_front();
    }
    apply(lane, *staged);
  }
}

void AppendFeed::apply(const Lane& lane, const Staged& staged) {
  for (size_t i = 0; i < staged.events.size(); ++i) {
    const uint64_t index = staged.record.info.first_event_index + i;
    // The writer decoded and checked these very bytes before it staged them (StagedCommit), so a
    // lane reads its copy without DecodedMessage's canonical walk; capnp still bounds-checks.
    const Status s = read_message_root<schema::Event>(staged.events[i], [&](schema::Event::Reader event) -> Status {
      for (Projection* p : lane.projections) {
        // A failure here may be no failure of the log's: an event this append has not yet made
        // durable (what a reversal in the same append reverses) cannot be read back. The catch-up
        // from the log decides.
        GL_RETURN_IF_ERROR(apply_event(*p, staged.record, index, event, staged.postings[i]));
      }
      return Status::ok();
    });
    if (!s.is_ok()) return give_up(s.to_string());
  }
}

Status AppendFeed::finish(bool appended) {
  stop_lanes();
  wrote_fed_ = false;
  if (!appended) return Status::ok();  // nothing new in the log: the projections stay where they are
  GL_ASSIGN_OR_RETURN(Head head, ledger_.head());
  if (gave_up_.empty() && head.commit_count == next_) {
    if (next_ == start_) return Status::ok();  // every commit was a retry's: nothing new
    // Every projection's changes with its new position, atomically (as a catch-up's batch).
    ProjectionBatch batch = store_.batch();
    for (auto& p : projections_) {
      p->flush(&batch);
      batch.put(Cf::kProjMeta, applied_position_key(p->name()), u64_be(next_));
    }
    Status written = store_.write(batch, "write projections");
    if (written.is_ok()) {
      wrote_fed_ = true;
      return written;
    }
    gave_up_ = written.to_string();
  }
  if (gave_up_.empty()) gave_up_ = "the log's head is commit " + std::to_string(head.commit_count) + ", not " + std::to_string(next_);
  spdlog::debug("projections: catching up from the log ({})", gave_up_);
  for (auto& p : projections_) p->discard();
  return Builder(ledger_).catch_up();
}

}  // namespace grantledger::projections
