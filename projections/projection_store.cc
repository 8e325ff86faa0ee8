#include "projections/projection_store.h"

namespace grantledger::projections {

namespace {
rocksdb::Slice slice(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }
const rocksdb::Slice kKeySpaceEnd("\xff", 1);

Result<std::optional<Bytes>> get_optional(Store& store, Cf cf, std::string_view key, const rocksdb::Snapshot* snap) {
  auto v = store.get(cf, key, snap);
  if (v) return std::optional<Bytes>(std::move(v).value());
  if (v.error().code() == StatusCode::kNotFound) return std::optional<Bytes>();
  return v.error();
}
}  // namespace

ProjectionCursor::ProjectionCursor(std::unique_ptr<rocksdb::Iterator> it) : it_(std::move(it)) {}
ProjectionCursor::~ProjectionCursor() = default;
ProjectionCursor::ProjectionCursor(ProjectionCursor&&) noexcept = default;
void ProjectionCursor::seek(std::string_view key) { it_->Seek(slice(key)); }
void ProjectionCursor::seek_to_first() { it_->SeekToFirst(); }
bool ProjectionCursor::valid() const { return it_->Valid(); }
void ProjectionCursor::next() { it_->Next(); }
std::string_view ProjectionCursor::key() const { return {it_->key().data(), it_->key().size()}; }
std::string_view ProjectionCursor::value() const { return {it_->value().data(), it_->value().size()}; }
Status ProjectionCursor::status(const std::string& what) const { return from_rocks(it_->status(), what); }

void ProjectionBatch::put(Cf cf, std::string_view key, std::string_view value) { batch_.Put(store_.cf(cf), slice(key), slice(value)); }
void ProjectionBatch::remove(Cf cf, std::string_view key) { batch_.Delete(store_.cf(cf), slice(key)); }
void ProjectionBatch::clear(Cf cf) { batch_.DeleteRange(store_.cf(cf), rocksdb::Slice(), kKeySpaceEnd); }

ProjectionStore::ProjectionStore(Ledger& ledger) : store_(ledger.store()) {}
ProjectionStore::ProjectionStore(Store& store, Scratch) : store_(store), scratch_(true) {}
ProjectionStore::~ProjectionStore() = default;

ProjectionStore::View::View(Store& store) : store_(store), snap_(std::make_unique<Snapshot>(store.db())) {}
ProjectionStore::View::~View() = default;
ProjectionStore::View::View(View&&) noexcept = default;

Result<std::optional<Bytes>> ProjectionStore::View::get(Cf cf, std::string_view key) const {
  return get_optional(store_, cf, key, snap_->get());
}

ProjectionCursor ProjectionStore::View::cursor(Cf cf) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snap_->get();
  return ProjectionCursor(std::unique_ptr<rocksdb::Iterator>(store_.db()->NewIterator(ro, store_.cf(cf))));
}

Result<std::optional<Bytes>> ProjectionStore::get(Cf cf, std::string_view key) const { return get_optional(store_, cf, key, nullptr); }

ProjectionCursor ProjectionStore::cursor(Cf cf) const {
  return ProjectionCursor(std::unique_ptr<rocksdb::Iterator>(store_.db()->NewIterator(rocksdb::ReadOptions(), store_.cf(cf))));
}

Status ProjectionStore::write(ProjectionBatch& batch, const std::string& what) {
  rocksdb::WriteOptions wo;
  wo.disableWAL = scratch_;
  return from_rocks(store_.db()->Write(wo, &batch.batch_), what);
}

}  // namespace grantledger::projections
