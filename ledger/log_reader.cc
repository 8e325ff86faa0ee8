#include "ledger/log_reader.h"

#include "ledger/merkle.h"
#include "ledger/postings.h"
#include "ledger/sha256.h"
#include "ledger/stored_value.h"

namespace grantledger {

namespace {

std::string_view view(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

Cf cf_of(StoredFamily family) {
  switch (family) {
    case StoredFamily::kEvents: return Cf::kEvents;
    case StoredFamily::kCommits: return Cf::kCommits;
    case StoredFamily::kCommitIndex: return Cf::kCommitIndex;
    case StoredFamily::kTree: return Cf::kTree;
    case StoredFamily::kIdempotency: return Cf::kIdempotency;
    case StoredFamily::kCheckpoints: return Cf::kCheckpoints;
    case StoredFamily::kPostings: return Cf::kPostings;
  }
  GL_ASSERT(false);
  return Cf::kEvents;
}

// The u64 BE position of a stored key; a key of another length sorts as no position at all.
std::optional<uint64_t> position_of(const rocksdb::Slice& key) {
  if (key.size() != 8) return std::nullopt;
  return get_u64_be(view(key));
}

}  // namespace

const char* stored_family_name(StoredFamily family) { return cf_name(cf_of(family)); }

struct LogReader::Impl {
  Impl(Store& s, bool verify_checksums) : store(s), snap(s.db()) {
    ro.snapshot = snap.get();
    ro.verify_checksums = verify_checksums;
  }
  std::unique_ptr<rocksdb::Iterator> iterator(Cf cf) { return std::unique_ptr<rocksdb::Iterator>(store.db()->NewIterator(ro, store.cf(cf))); }
  Store& store;
  Snapshot snap;
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> commits, events, postings;
  Sha256 sha;
};

struct LogReader::Cursor::Impl {
  std::unique_ptr<rocksdb::Iterator> it;
  std::string family;
  bool started = false;
};

LogReader::Cursor::Cursor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LogReader::Cursor::~Cursor() = default;
LogReader::Cursor::Cursor(Cursor&&) noexcept = default;

Result<std::optional<std::pair<Bytes, Bytes>>> LogReader::Cursor::next() {
  rocksdb::Iterator& it = *impl_->it;
  if (!impl_->started) {
    it.SeekToFirst();
    impl_->started = true;
  } else if (it.Valid()) {
    it.Next();
  }
  if (!it.Valid()) {
    GL_RETURN_IF_ERROR(from_rocks(it.status(), "scan " + impl_->family));
    return std::optional<std::pair<Bytes, Bytes>>();
  }
  return std::optional<std::pair<Bytes, Bytes>>(std::make_pair(Bytes(view(it.key())), Bytes(view(it.value()))));
}

LogReader::LogReader(Ledger& ledger, Options options)
    : ledger_(ledger), options_(options), impl_(std::make_unique<Impl>(ledger.store(), options.verify_checksums)) {}

LogReader::~LogReader() = default;

Result<std::unique_ptr<LogReader>> LogReader::open(Ledger& ledger, Options options) {
  std::unique_ptr<LogReader> r(new LogReader(ledger, options));
  auto head = r->impl_->store.head(r->impl_->snap.get());
  if (head) r->head_ = *head;
  else if (!options.raw_only) return head.error();
  GL_RETURN_IF_ERROR(r->seek(0));
  return r;
}

Status LogReader::seek(uint64_t sequence) {
  if (sequence > head_.commit_count)
    return Status::invalid_argument("commit " + std::to_string(sequence) + " is beyond the log's " +
                                    std::to_string(head_.commit_count) + " commits");
  Hash32 previous{};
  uint64_t first_event = 0;
  if (sequence > 0) {
    // The commit before the position anchors the chain the reads must continue.
    const std::string name = "commit " + std::to_string(sequence - 1);
    GL_ASSIGN_OR_RETURN(std::optional<Bytes> bytes, get(StoredFamily::kCommits, u64_be(sequence - 1)));
    if (!bytes) return Status::corruption(name + " is missing");
    auto before = decode_commit(*bytes);
    if (!before) return before.error().with_context(name + ": ");
    if (before->info.sequence != sequence - 1)
      return Status::corruption(name + " is out of place (its sequence, first event or event count was changed)");
    if (before->origin != ledger_.origin())
      return Status::corruption(name + " does not chain to commit " + std::to_string(sequence - 2) +
                                " of this log (previous hash or origin differs): a commit was changed");
    previous = before->info.commit_hash;
    first_event = before->info.first_event_index + before->info.event_count;
  }
  next_sequence_ = sequence;
  next_event_index_ = first_event;
  previous_hash_ = previous;
  in_commit_ = false;
  at_end_ = false;
  event_in_commit_ = 0;
  impl_->commits = impl_->iterator(Cf::kCommits);
  impl_->commits->Seek(rocksdb::Slice(u64_be(sequence)));
  impl_->events = impl_->iterator(Cf::kEvents);
  impl_->events->Seek(rocksdb::Slice(u64_be(first_event)));
  impl_->postings.reset();
  if (options_.postings) {
    impl_->postings = impl_->iterator(Cf::kPostings);
    impl_->postings->Seek(rocksdb::Slice(u64_be(first_event)));
  }
  return Status::ok();
}

Result<const CommitRecord*> LogReader::next_commit() {
  if (in_commit_) GL_RETURN_IF_ERROR(finish_commit());
  if (at_end_) return static_cast<const CommitRecord*>(nullptr);
  rocksdb::Iterator& commits = *impl_->commits;
  const uint64_t expected = next_sequence_;
  if (expected >= head_.commit_count) {
    if (next_event_index_ != head_.tree_size)
      return Status::corruption("the log's head (" + std::to_string(head_.commit_count) + " commits, " +
                                std::to_string(head_.tree_size) + " events) does not match its commits (" +
                                std::to_string(next_event_index_) + " events): a commit is missing");
    if (previous_hash_ != head_.last_commit_hash)
      return Status::corruption("meta/head names another last commit than the chain ends in");
    at_end_ = true;
    return static_cast<const CommitRecord*>(nullptr);
  }
  // Every record is checked against what binds it: the commit's key and the previous commit's
  // hash (the chain), each event against its commit's leaf hash (spec/LOG.md, "Commits").
  const std::string name = "commit " + std::to_string(expected);
  if (!commits.Valid()) {
    GL_RETURN_IF_ERROR(from_rocks(commits.status(), "scan commits"));
    return Status::corruption("the log's head (" + std::to_string(head_.commit_count) + " commits) does not match its commits (" +
                              std::to_string(expected) + " found): " + name + " is missing");
  }
  std::optional<uint64_t> key = position_of(commits.key());
  if (key != expected)
    return Status::corruption(name + " is missing (the next stored commit is " +
                              (key ? std::to_string(*key) : printable_stored_key(view(commits.key()))) + ")");
  auto decoded = decode_commit(view(commits.value()));
  if (!decoded) return decoded.error().with_context(name + ": ");
  CommitRecord& c = *decoded;
  if (c.info.sequence != expected || c.info.first_event_index != next_event_index_ || c.event_hashes.size() != c.info.event_count)
    return Status::corruption(name + " is out of place (its sequence, first event or event count was changed)");
  if (c.previous_commit_hash != previous_hash_ || c.origin != ledger_.origin())
    return Status::corruption(name + " does not chain to commit " + std::to_string(expected - 1) +
                              " of this log (previous hash or origin differs): a commit was changed");
  commit_ = std::move(c);
  commits.Next();
  in_commit_ = true;
  event_in_commit_ = 0;
  return &commit_;
}

Status LogReader::finish_commit() {
  while (event_in_commit_ < commit_.info.event_count) GL_RETURN_IF_ERROR(read_event());
  in_commit_ = false;
  previous_hash_ = commit_.info.commit_hash;
  ++next_sequence_;
  return Status::ok();
}

Result<const LogEvent*> LogReader::next_event() {
  if (!in_commit_ || event_in_commit_ >= commit_.info.event_count) return static_cast<const LogEvent*>(nullptr);
  GL_RETURN_IF_ERROR(read_event());
  return &event_;
}

Status LogReader::read_event() {
  rocksdb::Iterator& events = *impl_->events;
  const uint64_t index = next_event_index_;
  const std::string commit_name = "commit " + std::to_string(commit_.info.sequence);
  if (!events.Valid() || position_of(events.key()) != index) {
    GL_RETURN_IF_ERROR(from_rocks(events.status(), "scan events"));
    return Status::corruption("event " + std::to_string(index) + " is missing (" + commit_name + ")");
  }
  const std::string_view bytes = view(events.value());
  if (merkle_leaf_hash(impl_->sha, bytes) != commit_.event_hashes[event_in_commit_])
    return Status::corruption("event " + std::to_string(index) + " does not match its leaf hash in " + commit_name +
                              ": the stored event was changed");
  auto msg = DecodedMessage::decode(bytes);
  if (!msg) return msg.error().with_context("event " + std::to_string(index) + ": ");
  event_.index = index;
  event_.bytes.assign(bytes);
  event_.message = std::move(msg).value();
  event_.postings.clear();
  if (impl_->postings) {
    rocksdb::Iterator& postings = *impl_->postings;
    // Postings exist only for events that have some; a key of another length is no event's.
    while (postings.Valid() && position_of(postings.key()).value_or(UINT64_MAX) < index) postings.Next();
    if (postings.Valid() && position_of(postings.key()) == index) {
      auto decoded = decode_postings(view(postings.value()));
      if (!decoded) return decoded.error().with_context("postings of event " + std::to_string(index) + ": ");
      event_.postings = std::move(decoded).value();
      postings.Next();
    }
    GL_RETURN_IF_ERROR(from_rocks(postings.status(), "scan postings"));
  }
  events.Next();
  ++next_event_index_;
  ++event_in_commit_;
  return Status::ok();
}

Result<std::optional<Bytes>> LogReader::get(StoredFamily family, std::string_view key) {
  auto v = impl_->store.get(cf_of(family), key, impl_->snap.get());
  if (v) return std::optional<Bytes>(std::move(v).value());
  if (v.error().code() == StatusCode::kNotFound) return std::optional<Bytes>();
  return v.error();
}

Status LogReader::for_each_stored(StoredFamily family, const StoredVisitor& visit, std::string_view from_key) {
  std::unique_ptr<rocksdb::Iterator> it = impl_->iterator(cf_of(family));
  for (it->Seek(rocksdb::Slice(from_key.data(), from_key.size())); it->Valid(); it->Next()) {
    GL_ASSIGN_OR_RETURN(bool more, visit(view(it->key()), view(it->value())));
    if (!more) return Status::ok();
  }
  return from_rocks(it->status(), std::string("scan ") + stored_family_name(family));
}

LogReader::Cursor LogReader::cursor(StoredFamily family) {
  auto impl = std::make_unique<Cursor::Impl>();
  impl->it = impl_->iterator(cf_of(family));
  impl->family = stored_family_name(family);
  return Cursor(std::move(impl));
}

}  // namespace grantledger
