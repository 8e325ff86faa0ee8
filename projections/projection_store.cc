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
ProjectionCursor::ProjectionCursor(std::shared_ptr<const MemoryFamilies> families, Cf cf)
    : memory_(std::move(families)), family_(&memory_->families[static_cast<size_t>(cf)]), pos_(family_->end()) {}
ProjectionCursor::~ProjectionCursor() = default;
ProjectionCursor::ProjectionCursor(ProjectionCursor&&) noexcept = default;
void ProjectionCursor::seek(std::string_view key) {
  if (it_) return it_->Seek(slice(key));
  pos_ = family_->lower_bound(key);
}
void ProjectionCursor::seek_for_prev(std::string_view key) {
  if (it_) return it_->SeekForPrev(slice(key));
  pos_ = family_->upper_bound(key);
  pos_ = pos_ == family_->begin() ? family_->end() : std::prev(pos_);
}
void ProjectionCursor::seek_to_first() {
  if (it_) return it_->SeekToFirst();
  pos_ = family_->begin();
}
bool ProjectionCursor::valid() const { return it_ ? it_->Valid() : pos_ != family_->end(); }
void ProjectionCursor::next() {
  if (it_) return it_->Next();
  ++pos_;
}
std::string_view ProjectionCursor::key() const {
  if (it_) return {it_->key().data(), it_->key().size()};
  return pos_->first;
}
std::string_view ProjectionCursor::value() const {
  if (it_) return {it_->value().data(), it_->value().size()};
  return pos_->second;
}
Status ProjectionCursor::status(const std::string& what) const { return it_ ? from_rocks(it_->status(), what) : Status::ok(); }

void ProjectionBatch::put(Cf cf, std::string_view key, std::string_view value) {
  if (!store_) return put(cf, Bytes(key), Bytes(value));
  batch_.Put(store_->cf(cf), slice(key), slice(value));
}
void ProjectionBatch::put(Cf cf, Bytes&& key, Bytes&& value) {
  if (!store_) return ops_.push_back({Op::Kind::kPut, cf, std::move(key), std::move(value)});
  batch_.Put(store_->cf(cf), slice(key), slice(value));
}
void ProjectionBatch::remove(Cf cf, std::string_view key) {
  if (!store_) return ops_.push_back({Op::Kind::kRemove, cf, Bytes(key), {}});
  batch_.Delete(store_->cf(cf), slice(key));
}
void ProjectionBatch::clear(Cf cf) {
  if (!store_) return ops_.push_back({Op::Kind::kClear, cf, {}, {}});
  batch_.DeleteRange(store_->cf(cf), rocksdb::Slice(), kKeySpaceEnd);
}

ProjectionStore::ProjectionStore(Ledger& ledger) : store_(&ledger.store()) {}
ProjectionStore::ProjectionStore(Store& store, Scratch) : store_(&store), scratch_(true) {}
ProjectionStore::ProjectionStore(InMemory) : memory_(std::make_shared<MemoryFamilies>()) {}
ProjectionStore::~ProjectionStore() = default;

ProjectionStore::View::View(Store& store) : store_(&store), snap_(std::make_unique<Snapshot>(store.db())) {}
ProjectionStore::View::~View() = default;
ProjectionStore::View::View(View&&) noexcept = default;

namespace {
Result<std::optional<Bytes>> get_in_memory(const MemoryFamilies& memory, Cf cf, std::string_view key) {
  const MemoryFamilies::Family& family = memory.families[static_cast<size_t>(cf)];
  auto it = family.find(key);
  if (it == family.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}
}  // namespace

Result<std::optional<Bytes>> ProjectionStore::View::get(Cf cf, std::string_view key) const {
  if (!store_) return get_in_memory(*memory_, cf, key);
  return get_optional(*store_, cf, key, snap_->get());
}

ProjectionCursor ProjectionStore::View::cursor(Cf cf) const {
  if (!store_) return ProjectionCursor(memory_, cf);
  rocksdb::ReadOptions ro;
  ro.snapshot = snap_->get();
  return ProjectionCursor(std::unique_ptr<rocksdb::Iterator>(store_->db()->NewIterator(ro, store_->cf(cf))));
}

Result<std::optional<Bytes>> ProjectionStore::get(Cf cf, std::string_view key) const {
  if (!store_) return get_in_memory(*memory_, cf, key);
  return get_optional(*store_, cf, key, nullptr);
}

ProjectionCursor ProjectionStore::cursor(Cf cf) const {
  if (!store_) return ProjectionCursor(memory_, cf);
  return ProjectionCursor(std::unique_ptr<rocksdb::Iterator>(store_->db()->NewIterator(rocksdb::ReadOptions(), store_->cf(cf))));
}

Status ProjectionStore::write(ProjectionBatch& batch, const std::string& what) {
  std::lock_guard lock(write_mutex_);
  if (store_) {
    rocksdb::WriteOptions wo;
    wo.disableWAL = scratch_;
    return from_rocks(store_->db()->Write(wo, &batch.batch_), what);
  }
  // A View or cursor still reads the families as they were: they keep those, and the write goes
  // to a copy.
  if (memory_.use_count() > 1) memory_ = std::make_shared<MemoryFamilies>(*memory_);
  for (ProjectionBatch::Op& op : batch.ops_) {
    MemoryFamilies::Family& family = memory_->families[static_cast<size_t>(op.cf)];
    switch (op.kind) {
      case ProjectionBatch::Op::Kind::kPut: family.insert_or_assign(std::move(op.key), std::move(op.value)); break;
      case ProjectionBatch::Op::Kind::kRemove: family.erase(op.key); break;
      case ProjectionBatch::Op::Kind::kClear: family.erase(family.begin(), family.lower_bound(kKeySpaceEnd.ToStringView())); break;
    }
  }
  batch.ops_.clear();
  return Status::ok();
}

}  // namespace grantledger::projections
