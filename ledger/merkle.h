// The RFC 6962 / RFC 9162 Merkle tree over the log's events.
//
// leaf hash = SHA-256(0x00 || event bytes); node hash = SHA-256(0x01 || left || right); the
// root of the empty tree is SHA-256(""). The log stores the hash of every *perfect* subtree
// (level L, index i covers leaves [i * 2^L, (i + 1) * 2^L)): about two nodes per leaf, written
// once, never changed. Any root, inclusion proof or consistency proof then needs O(log n) node
// reads: the right edge of a tree that is not a power of two is folded from at most 64 perfect
// subtrees. See spec/LOG.md, "Merkle tree".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/sha256.h"
#include "ledger/status.h"

namespace grantledger {

Hash32 merkle_leaf_hash(Sha256& sha, std::string_view leaf_bytes);
Hash32 merkle_node_hash(Sha256& sha, const Hash32& left, const Hash32& right);
Hash32 merkle_empty_root();

// The stored perfect subtree at `level` whose leaves start at index << level.
struct MerkleNodeId {
  uint8_t level;
  uint64_t index;
  bool operator<(const MerkleNodeId& o) const {
    return level != o.level ? level < o.level : index < o.index;
  }
};

// Reads one stored node; not_found if it is not stored.
using MerkleNodeSource = std::function<Result<Hash32>(MerkleNodeId)>;

// The right edge of the tree, kept in memory by the writer so that appending needs no reads.
class MerkleFrontier {
 public:
  MerkleFrontier() = default;
  // Rebuilds the frontier of a tree of `size` leaves from stored nodes: popcount(size) reads.
  static Result<MerkleFrontier> load(const MerkleNodeSource& source, uint64_t size);

  // Appends a leaf hash; adds every perfect subtree it completes (the leaf itself included) to
  // `completed`, in the order they must be stored.
  void append(Sha256& sha, const Hash32& leaf_hash,
              std::vector<std::pair<MerkleNodeId, Hash32>>* completed);
  Hash32 root(Sha256& sha) const;
  uint64_t size() const { return size_; }

 private:
  std::vector<std::pair<uint8_t, Hash32>> edge_;  // perfect subtrees, left to right
  uint64_t size_ = 0;
};

// Roots and proofs for any tree size up to the stored size. Not thread-safe; cheap to create.
class MerkleReader {
 public:
  explicit MerkleReader(MerkleNodeSource source) : source_(std::move(source)) {}

  // MTH(D[0:size]).
  Result<Hash32> root(uint64_t size);
  // RFC 9162 2.1.3.1: the audit path of leaf `index` in the tree of `size` leaves.
  // REQUIRES index < size.
  Result<std::vector<Hash32>> inclusion_proof(uint64_t index, uint64_t size);
  // RFC 9162 2.1.4.1: the consistency proof between sizes old_size <= new_size.
  Result<std::vector<Hash32>> consistency_proof(uint64_t old_size, uint64_t new_size);

 private:
  Result<Hash32> range_hash(uint64_t begin, uint64_t end);
  Status path(uint64_t m, uint64_t begin, uint64_t end, std::vector<Hash32>* out);
  Status subproof(uint64_t m, uint64_t begin, uint64_t end, bool complete, std::vector<Hash32>* out);

  MerkleNodeSource source_;
  Sha256 sha_;
  std::map<std::pair<uint64_t, uint64_t>, Hash32> cache_;  // range -> hash, per reader
};

// RFC 9162 2.1.3.2. True iff `proof` proves leaf `index` with `leaf_hash` is in the tree of
// `size` leaves with `root`.
bool merkle_verify_inclusion(uint64_t index, uint64_t size, const Hash32& leaf_hash,
                             const std::vector<Hash32>& proof, const Hash32& root);
// RFC 9162 2.1.4.2. True iff `proof` proves the tree (old_size, old_root) is a prefix of the
// tree (new_size, new_root).
bool merkle_verify_consistency(uint64_t old_size, uint64_t new_size, const Hash32& old_root,
                               const Hash32& new_root, const std::vector<Hash32>& proof);

}  // namespace grantledger
