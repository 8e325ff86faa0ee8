#include "ledger/ledger.h"

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "ledger/canonical.h"
#include "ledger/commit_writer.h"
#include "ledger/date.h"
#include "ledger/merkle.h"
#include "ledger/postings.h"

namespace grantledger {

namespace {

std::string_view view(capnp::Data::Reader d) { return {reinterpret_cast<const char*>(d.begin()), d.size()}; }

capnp::Data::Reader data_of(std::string_view b) {
  return capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(b.data()), b.size());
}

Bytes key_registered_event(int32_t effective_date, const PublicKey& key, schema::Role role,
                           const std::string& name) {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Event>();
  e.setEffectiveDate(effective_date);
  auto k = e.initBody().initKeyRegistered();
  k.setPublicKey(data_of(key.raw()));
  k.setRole(role);
  k.setName(name);
  return canonical_bytes(e.asReader());
}

std::string log_key_path(const std::string& dir) { return (std::filesystem::path(dir) / "keys" / "log.pem").string(); }

MerkleNodeSource tree_source(Store& store, const rocksdb::Snapshot* snap) {
  return [&store, snap](MerkleNodeId id) -> Result<Hash32> {
    auto v = store.get(Cf::kTree, tree_key(id.level, id.index), snap);
    if (!v) {
      if (v.error().code() == StatusCode::kNotFound)
        return Status::corruption("tree node level " + std::to_string(id.level) + " index " +
                                  std::to_string(id.index) + " is missing");
      return v.error();
    }
    if (v->size() != 32) return Status::corruption("tree node has the wrong length");
    return to_hash32(*v);
  };
}

}  // namespace

Result<CommitRecord> decode_commit(std::string_view bytes) {
  GL_ASSIGN_OR_RETURN(DecodedMessage msg, DecodedMessage::decode(bytes));
  auto c = msg.root<schema::Commit>();
  auto b = c.getBody();
  CommitRecord r;
  if (b.getSignerKeyId().size() != 32 || b.getPreviousCommitHash().size() != 32)
    return Status::corruption("commit " + std::to_string(b.getSequence()) + ": malformed hash field");
  r.info.sequence = b.getSequence();
  r.info.first_event_index = b.getFirstEventIndex();
  r.info.event_count = b.getEventCount();
  r.info.recorded_at_ns = b.getRecordedAtNs();
  r.info.signer_key_id = to_hash32(view(b.getSignerKeyId()));
  r.info.idempotency_key = b.getIdempotencyKey().cStr();
  r.previous_commit_hash = to_hash32(view(b.getPreviousCommitHash()));
  for (auto h : b.getEventHashes()) {
    if (h.size() != 32) return Status::corruption("commit " + std::to_string(r.info.sequence) + ": malformed event hash");
    r.event_hashes.push_back(to_hash32(view(h)));
  }
  r.signature = Bytes(view(c.getSignature()));
  r.bytes = Bytes(bytes);
  r.info.commit_hash = Sha256().digest(bytes);
  return r;
}

bool commit_signature_valid(std::string_view commit_bytes, const PublicKey& signer) {
  auto msg = DecodedMessage::decode(commit_bytes);
  if (!msg) return false;
  auto c = msg->root<schema::Commit>();
  Bytes signed_bytes(kCommitSignaturePrefix);
  signed_bytes += canonical_bytes(c.getBody());
  return signer.verify(signed_bytes, view(c.getSignature()));
}

Result<CommitInfo> Ledger::init(const std::string& dir, const std::string& origin,
                                 const PrivateKey& admin, const std::string& admin_name) {
  if (origin.empty() || origin.find('\n') != std::string::npos || origin.find(' ') != std::string::npos)
    return Status::invalid_argument("origin: must be one non-empty line without spaces");
  GL_ASSIGN_OR_RETURN(auto store, Store::open(dir, Store::Mode::kCreate));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dir) / "keys", ec);
  if (ec) return Status::io_error("cannot create " + dir + "/keys: " + ec.message());
  PrivateKey log_key = PrivateKey::generate();
  GL_RETURN_IF_ERROR(log_key.save((std::filesystem::path(dir) / "keys" / "log").string()));

  rocksdb::WriteBatch prelude;
  prelude.Put(store->cf(Cf::kMeta), "format", kFormatVersion);
  prelude.Put(store->cf(Cf::kMeta), "origin", origin);
  prelude.Put(store->cf(Cf::kMeta), "log_public_key", log_key.public_key().raw());

  CommitRequest genesis;
  genesis.signer = std::make_shared<PrivateKey>(admin);
  // The keys are effective from the day the ledger is created (UTC).
  const int32_t today = static_cast<int32_t>(now_utc_ns() / (86400LL * 1000000000LL));
  genesis.events.push_back(key_registered_event(today, admin.public_key(), schema::Role::ADMIN, admin_name));
  genesis.events.push_back(key_registered_event(today, log_key.public_key(), schema::Role::LOG, "log"));
  genesis.idempotency_key = "genesis";
  Ledger::Writer writer(*store, origin, log_key, LedgerState(), Head(), MerkleFrontier());
  GL_ASSIGN_OR_RETURN(auto infos, writer.write_now({std::move(genesis)}, std::move(prelude)));
  spdlog::debug("init dir={} origin={}", dir, origin);
  return infos.at(0);
}

Result<std::unique_ptr<Ledger>> Ledger::open(const std::string& dir, LedgerOptions options) {
  std::unique_ptr<Ledger> ledger(new Ledger());
  GL_ASSIGN_OR_RETURN(ledger->store_,
                      Store::open(dir, options.read_only ? Store::Mode::kReadOnly : Store::Mode::kReadWrite));
  Store& store = *ledger->store_;
  GL_ASSIGN_OR_RETURN(ledger->origin_, store.get(Cf::kMeta, "origin"));
  GL_ASSIGN_OR_RETURN(Bytes log_raw, store.get(Cf::kMeta, "log_public_key"));
  GL_ASSIGN_OR_RETURN(PublicKey log_pub, PublicKey::from_raw(log_raw));
  ledger->log_public_ = log_pub;
  if (!options.read_only && store.postings_pending()) GL_RETURN_IF_ERROR(ledger->write_missing_postings());
  if (options.read_only || !options.writer) return ledger;

  GL_ASSIGN_OR_RETURN(PrivateKey log_key, PrivateKey::load(log_key_path(dir)));
  if (log_key.public_key().raw() != log_pub.raw())
    return Status::invalid_argument(log_key_path(dir) + " is not this ledger's log key");

  // Rebuild the rule state by replaying the log (spec/LOG.md, "Opening a ledger").
  LedgerState state;
  GL_RETURN_IF_ERROR(ledger->replay(&state));
  state.release();
  Snapshot snap(store.db());
  GL_ASSIGN_OR_RETURN(Head head, store.head(snap.get()));
  GL_ASSIGN_OR_RETURN(MerkleFrontier frontier, MerkleFrontier::load(tree_source(store, snap.get()), head.tree_size));
  ledger->writer_ = std::make_unique<Writer>(store, ledger->origin_, std::move(log_key), std::move(state), head,
                                             std::move(frontier));
  ledger->writer_->start();
  spdlog::debug("open dir={} commits={} events={}", dir, head.commit_count, head.tree_size);
  return ledger;
}

Ledger::~Ledger() { writer_.reset(); }

Status Ledger::replay(LedgerState* state, const EventVisitor& on_event, const CommitVisitor& on_commit) {
  std::vector<Posting> postings;
  auto apply = [&](const CommitRecord& c, uint64_t index, schema::Event::Reader event) -> Status {
    postings.clear();
    Status s = state->apply(EventContext{c.info.sequence, index, c.info.signer_key_id}, event, &postings);
    if (!s.is_ok())
      return Status::corruption("replay of event " + std::to_string(index) + " (commit " + std::to_string(c.info.sequence) +
                                "): " + s.message());
    return on_event ? on_event(c, index, event, postings) : Status::ok();
  };
  GL_RETURN_IF_ERROR(scan(apply, on_commit));
  state->release();
  return Status::ok();
}

Status Ledger::scan(const DecodedEventVisitor& on_event, const CommitVisitor& on_commit) {
  Store& store = *store_;
  Snapshot snap(store.db());
  GL_ASSIGN_OR_RETURN(Head head, store.head(snap.get()));
  rocksdb::ReadOptions ro;
  ro.snapshot = snap.get();
  std::unique_ptr<rocksdb::Iterator> commits(store.db()->NewIterator(ro, store.cf(Cf::kCommits)));
  std::unique_ptr<rocksdb::Iterator> events(store.db()->NewIterator(ro, store.cf(Cf::kEvents)));
  events->SeekToFirst();
  uint64_t expected_seq = 0, event_index = 0;
  for (commits->SeekToFirst(); commits->Valid() && expected_seq < head.commit_count; commits->Next(), ++expected_seq) {
    GL_ASSIGN_OR_RETURN(CommitRecord c, decode_commit(std::string_view(commits->value().data(), commits->value().size())));
    if (c.info.sequence != expected_seq || c.info.first_event_index != event_index)
      return Status::corruption("commit " + std::to_string(expected_seq) + " is missing or out of place");
    for (uint32_t i = 0; i < c.info.event_count; ++i, ++event_index, events->Next()) {
      if (!events->Valid() || get_u64_be(std::string_view(events->key().data(), events->key().size())) != event_index)
        return Status::corruption("event " + std::to_string(event_index) + " is missing");
      GL_ASSIGN_OR_RETURN(DecodedMessage msg, DecodedMessage::decode(std::string_view(events->value().data(), events->value().size())));
      GL_RETURN_IF_ERROR(on_event(c, event_index, msg.root<schema::Event>()));
    }
    if (on_commit) GL_RETURN_IF_ERROR(on_commit(c));
  }
  GL_RETURN_IF_ERROR(from_rocks(commits->status(), "scan commits"));
  GL_RETURN_IF_ERROR(from_rocks(events->status(), "scan events"));
  if (expected_seq != head.commit_count || event_index != head.tree_size)
    return Status::corruption("the log's head does not match its commits");
  return Status::ok();
}

Status Ledger::write_missing_postings() {
  // The rules derive every event's postings exactly as the writer did when it appended it;
  // rewriting one already written writes the same bytes, so an interrupted upgrade just resumes.
  Store& store = *store_;
  rocksdb::WriteBatch batch;
  uint64_t written = 0;
  auto flush = [&]() -> Status {
    GL_RETURN_IF_ERROR(from_rocks(store.db()->Write(rocksdb::WriteOptions(), &batch), "write postings"));
    batch.Clear();
    return Status::ok();
  };
  LedgerState state;
  GL_RETURN_IF_ERROR(replay(&state, [&](const CommitRecord&, uint64_t index, schema::Event::Reader, const std::vector<Posting>& postings) -> Status {
    if (postings.empty()) return Status::ok();
    batch.Put(store.cf(Cf::kPostings), u64_be(index), encode_postings(postings));
    ++written;
    return batch.Count() >= 10000 ? flush() : Status::ok();
  }));
  GL_RETURN_IF_ERROR(flush());
  GL_RETURN_IF_ERROR(store.finish_postings_upgrade());  // synced: the postings before it are durable too
  spdlog::info("upgrade dir={} postings_written={}", store.dir(), written);
  return Status::ok();
}

std::future<Result<std::vector<CommitInfo>>> Ledger::append_async(std::vector<CommitRequest> commits) {
  GL_ASSERT(writer_ != nullptr);
  return writer_->submit(std::move(commits));
}

Result<std::vector<CommitInfo>> Ledger::append(std::vector<CommitRequest> commits) {
  if (!writer_) return Status::invalid_argument("the ledger was opened read-only");
  return append_async(std::move(commits)).get();
}

const LedgerState& Ledger::state() const {
  GL_ASSERT(writer_ != nullptr);
  return writer_->state();
}

Result<Head> Ledger::head() { return store_->head(); }

Result<CommitRecord> Ledger::commit(uint64_t sequence) {
  auto bytes = store_->get(Cf::kCommits, u64_be(sequence));
  if (!bytes) {
    if (bytes.error().code() == StatusCode::kNotFound)
      return Status::not_found("commit " + std::to_string(sequence) + " does not exist");
    return bytes.error();
  }
  return decode_commit(*bytes);
}

Result<std::vector<CommitRecord>> Ledger::commits(uint64_t from_sequence, uint64_t limit) {
  Snapshot snap(store_->db());
  rocksdb::ReadOptions ro;
  ro.snapshot = snap.get();
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->cf(Cf::kCommits)));
  std::vector<CommitRecord> out;
  Bytes start = u64_be(from_sequence);
  for (it->Seek(start); it->Valid() && out.size() < limit; it->Next()) {
    GL_ASSIGN_OR_RETURN(CommitRecord r, decode_commit(std::string_view(it->value().data(), it->value().size())));
    out.push_back(std::move(r));
  }
  GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan commits"));
  return out;
}

Result<Bytes> Ledger::event(uint64_t index) {
  auto bytes = store_->get(Cf::kEvents, u64_be(index));
  if (!bytes && bytes.error().code() == StatusCode::kNotFound)
    return Status::not_found("event " + std::to_string(index) + " does not exist");
  return bytes;
}

Result<uint64_t> Ledger::commit_of_event(uint64_t index) {
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->cf(Cf::kCommitIndex)));
  Bytes key = u64_be(index);
  it->SeekForPrev(rocksdb::Slice(key));
  GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan commit index"));
  if (!it->Valid()) return Status::not_found("event " + std::to_string(index) + " does not exist");
  return get_u64_be(std::string_view(it->value().data(), it->value().size()));
}

Result<std::string> Ledger::checkpoint(std::optional<uint64_t> tree_size) {
  Snapshot snap(store_->db());
  uint64_t size;
  if (tree_size) {
    size = *tree_size;
  } else {
    GL_ASSIGN_OR_RETURN(Head head, store_->head(snap.get()));
    size = head.tree_size;
  }
  auto note = store_->get(Cf::kCheckpoints, u64_be(size), snap.get());
  if (!note && note.error().code() == StatusCode::kNotFound)
    return Status::not_found("no checkpoint at tree size " + std::to_string(size) +
                             " (checkpoints exist at every commit boundary)");
  return note;
}

Result<Hash32> Ledger::root(uint64_t tree_size) {
  Snapshot snap(store_->db());
  GL_ASSIGN_OR_RETURN(Head head, store_->head(snap.get()));
  if (tree_size > head.tree_size)
    return Status::invalid_argument("tree size " + std::to_string(tree_size) + " is beyond the log's " +
                                    std::to_string(head.tree_size) + " events");
  return MerkleReader(tree_source(*store_, snap.get())).root(tree_size);
}

Result<std::vector<Hash32>> Ledger::inclusion_proof(uint64_t index, uint64_t tree_size) {
  Snapshot snap(store_->db());
  GL_ASSIGN_OR_RETURN(Head head, store_->head(snap.get()));
  if (tree_size > head.tree_size)
    return Status::invalid_argument("tree size " + std::to_string(tree_size) + " is beyond the log's " +
                                    std::to_string(head.tree_size) + " events");
  return MerkleReader(tree_source(*store_, snap.get())).inclusion_proof(index, tree_size);
}

Result<std::vector<Hash32>> Ledger::consistency_proof(uint64_t old_size, uint64_t new_size) {
  Snapshot snap(store_->db());
  GL_ASSIGN_OR_RETURN(Head head, store_->head(snap.get()));
  if (new_size > head.tree_size)
    return Status::invalid_argument("tree size " + std::to_string(new_size) + " is beyond the log's " +
                                    std::to_string(head.tree_size) + " events");
  return MerkleReader(tree_source(*store_, snap.get())).consistency_proof(old_size, new_size);
}

}  // namespace grantledger
