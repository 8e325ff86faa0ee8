#include "ledger/log_image.h"

#include "ledger/postings.h"

namespace grantledger {

namespace {
rocksdb::Slice slice(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }
}  // namespace

Result<std::unique_ptr<LogImage>> LogImage::create(const std::string& dir, std::string_view origin, const PublicKey& log_key) {
  std::unique_ptr<LogImage> image(new LogImage());
  GL_ASSIGN_OR_RETURN(image->store_, Store::open(dir, Store::Mode::kCreate));
  Store& store = *image->store_;
  rocksdb::WriteBatch meta;
  meta.Put(store.cf(Cf::kMeta), "format", kFormatVersion);
  meta.Put(store.cf(Cf::kMeta), "origin", slice(origin));
  meta.Put(store.cf(Cf::kMeta), "log_public_key", slice(log_key.raw()));
  GL_RETURN_IF_ERROR(from_rocks(store.db()->Write(rocksdb::WriteOptions(), &meta), "write scratch meta"));
  return image;
}

LogImage::~LogImage() = default;

void LogImage::add_event(uint64_t index, std::string_view bytes) {
  batch_.Put(store_->cf(Cf::kEvents), slice(u64_be(index)), slice(bytes));
}

void LogImage::add_postings(uint64_t index, const std::vector<Posting>& postings) {
  batch_.Put(store_->cf(Cf::kPostings), slice(u64_be(index)), slice(encode_postings(postings)));
}

void LogImage::add_commit(uint64_t sequence, uint64_t first_event_index, std::string_view bytes) {
  batch_.Put(store_->cf(Cf::kCommits), slice(u64_be(sequence)), slice(bytes));
  batch_.Put(store_->cf(Cf::kCommitIndex), slice(u64_be(first_event_index)), slice(u64_be(sequence)));
}

Status LogImage::write() {
  if (batch_.Count() == 0) return Status::ok();
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;  // scratch data: flushed before the database is closed
  GL_RETURN_IF_ERROR(from_rocks(store_->db()->Write(wo, &batch_), "write scratch database"));
  batch_.Clear();
  return Status::ok();
}

Status LogImage::finish(const Head& head) {
  GL_RETURN_IF_ERROR(write());
  for (int i = 0; i < static_cast<int>(Cf::kCount); ++i)
    GL_RETURN_IF_ERROR(from_rocks(store_->db()->Flush(rocksdb::FlushOptions(), store_->cf(static_cast<Cf>(i))), "flush scratch"));
  GL_RETURN_IF_ERROR(from_rocks(store_->db()->Put(rocksdb::WriteOptions(), store_->cf(Cf::kMeta), "head", head.encode()),
                                "write scratch head"));
  store_.reset();
  return Status::ok();
}

}  // namespace grantledger
