#include "ledger/tree_nodes.h"

#include <capnp/message.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>

#include "ledger/message_words.h"
#include "ledger/sha256.h"
#include "spec/events.capnp.h"

namespace grantledger {

namespace {

constexpr uint64_t kBlockLeaves = uint64_t{1} << kLowestStoredTreeLevel;

rocksdb::Slice slice(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }

std::string node_name(MerkleNodeId id) {
  return "tree node level " + std::to_string(id.level) + " index " + std::to_string(id.index);
}

// Reads stored nodes, and hashes the others from their commits' leaf hashes, 64-leaf block by
// block, as far as they were asked for.
class BlockNodes {
 public:
  BlockNodes(Store& store, const rocksdb::Snapshot* snapshot) : store_(store), snapshot_(snapshot) {}

  Result<Hash32> node(MerkleNodeId id) {
    if (tree_node_is_stored(id)) return stored(id);
    const uint64_t first = id.index << id.level;
    const uint64_t end = first + (uint64_t{1} << id.level);
    Block& block = block_of(first / kBlockLeaves);
    const uint64_t block_first = block.index * kBlockLeaves;
    if (block_first + block.levels[0].size() < end)
      GL_RETURN_IF_ERROR(read_leaves(&block, block_first + block.levels[0].size(), end, id));
    return block.levels[id.level][id.index - (block_first >> id.level)];
  }

 private:
  Result<Hash32> stored(MerkleNodeId id) {
    auto v = store_.get(Cf::kTree, tree_key(id.level, id.index), snapshot_);
    if (!v) {
      if (v.error().code() == StatusCode::kNotFound) return Status::corruption(node_name(id) + " is missing");
      return v.error();
    }
    if (v->size() != 32) return Status::corruption(node_name(id) + " has the wrong length");
    return to_hash32(*v);
  }

  // levels[l][j]: node (l, (index * 64 >> l) + j), for the block's leaves read so far.
  struct Block {
    uint64_t index = UINT64_MAX;
    uint64_t last_used = 0;
    std::array<std::vector<Hash32>, kLowestStoredTreeLevel> levels;
  };

  // The block's cached nodes, or an empty slot for it (the least recently used one).
  Block& block_of(uint64_t index) {
    Block* slot = &blocks_[0];
    for (Block& b : blocks_) {
      if (b.index == index) {
        slot = &b;
        break;
      }
      if (b.last_used < slot->last_used) slot = &b;
    }
    if (slot->index != index) {
      slot->index = index;
      for (auto& level : slot->levels) level.clear();
    }
    slot->last_used = ++clock_;
    return *slot;
  }

  // Appends the leaf hashes of events [begin, end), as the commits that hold them signed them, to
  // the block's level 0, and every node they complete to the levels above.
  Status read_leaves(Block* block, uint64_t begin, uint64_t end, MerkleNodeId wanted) {
    auto why = [&] { return node_name(wanted) + " is hashed from the leaf hashes its commits carry"; };
    // The commit holding event `begin`: the commit index entry with the largest first event <= begin.
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(ro, store_.cf(Cf::kCommitIndex)));
    const Bytes begin_key = u64_be(begin);
    it->SeekForPrev(slice(begin_key));
    GL_RETURN_IF_ERROR(from_rocks(it->status(), "read the commit index"));
    if (!it->Valid() || it->key().size() != 8 || it->value().size() != 8)
      return Status::corruption("the commit index names no commit holding event " + std::to_string(begin) + " (" + why() + ")");
    uint64_t sequence = get_u64_be(std::string_view(it->value().data(), 8));
    for (uint64_t next = begin; next < end; ++sequence) {
      auto which = [&] { return "commit " + std::to_string(sequence); };
      auto bytes = store_.get(Cf::kCommits, u64_be(sequence), snapshot_);
      if (!bytes) {
        if (bytes.error().code() == StatusCode::kNotFound)
          return Status::corruption(which() + " is missing (it holds event " + std::to_string(next) + "; " + why() + ")");
        return bytes.error();
      }
      const uint64_t before = next;
      const Status read = read_commit_leaves(*bytes, sequence, &next, end, &block->levels[0]);
      if (read.code() == StatusCode::kNotFound)
        return Status::corruption(which() + " does not hold event " + std::to_string(before) +
                                  ": the commit or the commit index was changed (" + why() + ")");
      if (!read.is_ok()) return read.with_context(which() + " (holding event " + std::to_string(before) + "): ");
    }
    for (size_t level = 1; level < block->levels.size(); ++level) {
      const auto& below = block->levels[level - 1];
      auto& here = block->levels[level];
      while (2 * here.size() + 1 < below.size())
        here.push_back(merkle_node_hash(sha_, below[2 * here.size()], below[2 * here.size() + 1]));
    }
    return Status::ok();
  }

  Store& store_;
  const rocksdb::Snapshot* snapshot_;
  Sha256 sha_;
  // A proof asks for nodes of its leaf's block and of the tree's last, partial block; receipts
  // ask for those of a commit's consecutive events: a few blocks cover both without re-reading.
  std::array<Block, 4> blocks_;
  uint64_t clock_ = 0;
};

}  // namespace

Status read_commit_leaves(std::string_view bytes, uint64_t sequence, uint64_t* next, uint64_t end, std::vector<Hash32>* leaves) {
  return read_message_root<schema::Commit>(bytes, [&](schema::Commit::Reader commit) -> Status {
    const auto body = commit.getBody();
    const auto hashes = body.getEventHashes();
    const uint64_t first = body.getFirstEventIndex();
    if (body.getSequence() != sequence || first > *next || *next - first >= hashes.size() || hashes.size() != body.getEventCount())
      return Status::not_found("the commit does not hold the event");
    for (const uint64_t stop = std::min<uint64_t>(end, first + hashes.size()); *next < stop; ++*next) {
      const auto hash = hashes[static_cast<unsigned>(*next - first)];
      if (hash.size() != 32) return Status::corruption("malformed event hash");
      leaves->push_back(to_hash32(std::string_view(reinterpret_cast<const char*>(hash.begin()), hash.size())));
    }
    return Status::ok();
  });
}

void put_tree_nodes(Store& store, std::vector<std::pair<MerkleNodeId, Hash32>> nodes, rocksdb::WriteBatch* batch) {
  std::erase_if(nodes, [](const auto& n) { return !tree_node_is_stored(n.first); });
  // In key order (level, index), as the family sorts them: each memtable insert then starts where
  // the previous one ended. The nodes are new keys, so the order changes nothing stored.
  std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [id, hash] : nodes)
    batch->Put(store.cf(Cf::kTree), slice(tree_key(id.level, id.index)), slice(as_view(hash)));
}

MerkleNodeSource tree_nodes(Store& store, const rocksdb::Snapshot* snapshot) {
  auto block = std::make_shared<BlockNodes>(store, snapshot);
  return [block](MerkleNodeId id) { return block->node(id); };
}

}  // namespace grantledger
