#include "ledger/merkle.h"

#include <bit>

namespace grantledger {

namespace {
// The largest power of two strictly less than n. REQUIRES n >= 2.
uint64_t split_point(uint64_t n) { return std::bit_floor(n - 1); }
}  // namespace

Hash32 merkle_leaf_hash(Sha256& sha, std::string_view leaf_bytes) {
  sha.update(uint8_t{0x00});
  sha.update(leaf_bytes);
  return sha.finish();
}

Hash32 merkle_node_hash(Sha256& sha, const Hash32& left, const Hash32& right) {
  sha.update(uint8_t{0x01});
  sha.update(as_view(left));
  sha.update(as_view(right));
  return sha.finish();
}

Hash32 merkle_empty_root() { return Sha256().digest(""); }

Result<MerkleFrontier> MerkleFrontier::load(const MerkleNodeSource& source, uint64_t size) {
  MerkleFrontier f;
  uint64_t start = 0;
  for (int level = 63; level >= 0; --level) {
    uint64_t width = uint64_t{1} << level;
    if (!(size & width)) continue;
    GL_ASSIGN_OR_RETURN(Hash32 h, source({static_cast<uint8_t>(level), start >> level}));
    f.edge_.emplace_back(static_cast<uint8_t>(level), h);
    start += width;
  }
  f.size_ = size;
  return f;
}

void MerkleFrontier::append(Sha256& sha, const Hash32& leaf_hash,
                            std::vector<std::pair<MerkleNodeId, Hash32>>* completed) {
  completed->push_back({{0, size_}, leaf_hash});
  edge_.emplace_back(0, leaf_hash);
  ++size_;
  while (edge_.size() >= 2 && edge_[edge_.size() - 2].first == edge_.back().first) {
    uint8_t level = static_cast<uint8_t>(edge_.back().first + 1);
    Hash32 h = merkle_node_hash(sha, edge_[edge_.size() - 2].second, edge_.back().second);
    edge_.pop_back();
    edge_.back() = {level, h};
    completed->push_back({{level, (size_ >> level) - 1}, h});
  }
}

Hash32 MerkleFrontier::root(Sha256& sha) const {
  if (edge_.empty()) return merkle_empty_root();
  Hash32 r = edge_.back().second;
  for (size_t i = edge_.size() - 1; i-- > 0;) r = merkle_node_hash(sha, edge_[i].second, r);
  return r;
}

Result<Hash32> MerkleReader::range_hash(uint64_t begin, uint64_t end) {
  uint64_t n = end - begin;
  GL_ASSERT(n >= 1);
  if (std::has_single_bit(n) && begin % n == 0)
    return source_({static_cast<uint8_t>(std::countr_zero(n)), begin / n});
  auto it = cache_.find({begin, end});
  if (it != cache_.end()) return it->second;
  uint64_t k = split_point(n);
  GL_ASSIGN_OR_RETURN(Hash32 left, range_hash(begin, begin + k));
  GL_ASSIGN_OR_RETURN(Hash32 right, range_hash(begin + k, end));
  Hash32 h = merkle_node_hash(sha_, left, right);
  cache_[{begin, end}] = h;
  return h;
}

Result<Hash32> MerkleReader::root(uint64_t size) {
  if (size == 0) return merkle_empty_root();
  return range_hash(0, size);
}

Status MerkleReader::path(uint64_t m, uint64_t begin, uint64_t end, std::vector<Hash32>* out) {
  uint64_t n = end - begin;
  if (n == 1) return Status::ok();
  uint64_t k = split_point(n);
  if (m < k) {
    GL_RETURN_IF_ERROR(path(m, begin, begin + k, out));
    GL_ASSIGN_OR_RETURN(Hash32 h, range_hash(begin + k, end));
    out->push_back(h);
  } else {
    GL_RETURN_IF_ERROR(path(m - k, begin + k, end, out));
    GL_ASSIGN_OR_RETURN(Hash32 h, range_hash(begin, begin + k));
    out->push_back(h);
  }
  return Status::ok();
}

Result<std::vector<Hash32>> MerkleReader::inclusion_proof(uint64_t index, uint64_t size) {
  if (index >= size)
    return Status::invalid_argument("leaf index " + std::to_string(index) +
                                    " is not below tree size " + std::to_string(size));
  std::vector<Hash32> out;
  GL_RETURN_IF_ERROR(path(index, 0, size, &out));
  return out;
}

Status MerkleReader::subproof(uint64_t m, uint64_t begin, uint64_t end, bool complete,
                              std::vector<Hash32>* out) {
  uint64_t n = end - begin;
  if (m == n) {
    if (!complete) {
      GL_ASSIGN_OR_RETURN(Hash32 h, range_hash(begin, end));
      out->push_back(h);
    }
    return Status::ok();
  }
  uint64_t k = split_point(n);
  if (m <= k) {
    GL_RETURN_IF_ERROR(subproof(m, begin, begin + k, complete, out));
    GL_ASSIGN_OR_RETURN(Hash32 h, range_hash(begin + k, end));
    out->push_back(h);
  } else {
    GL_RETURN_IF_ERROR(subproof(m - k, begin + k, end, false, out));
    GL_ASSIGN_OR_RETURN(Hash32 h, range_hash(begin, begin + k));
    out->push_back(h);
  }
  return Status::ok();
}

Result<std::vector<Hash32>> MerkleReader::consistency_proof(uint64_t old_size, uint64_t new_size) {
  if (old_size > new_size)
    return Status::invalid_argument("consistency proof from size " + std::to_string(old_size) +
                                    " to the smaller size " + std::to_string(new_size));
  std::vector<Hash32> out;
  if (old_size == 0 || old_size == new_size) return out;
  GL_RETURN_IF_ERROR(subproof(old_size, 0, new_size, true, &out));
  return out;
}

bool merkle_verify_inclusion(uint64_t index, uint64_t size, const Hash32& leaf_hash,
                             const std::vector<Hash32>& proof, const Hash32& root) {
  if (index >= size) return false;
  Sha256 sha;
  uint64_t fn = index, sn = size - 1;
  Hash32 r = leaf_hash;
  for (const Hash32& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = merkle_node_hash(sha, p, r);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = merkle_node_hash(sha, r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool merkle_verify_consistency(uint64_t old_size, uint64_t new_size, const Hash32& old_root,
                               const Hash32& new_root, const std::vector<Hash32>& proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty() && old_root == merkle_empty_root();
  if (proof.empty()) return false;
  std::vector<Hash32> path;
  if (std::has_single_bit(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  Sha256 sha;
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash32 fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash32& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = merkle_node_hash(sha, c, fr);
      sr = merkle_node_hash(sha, c, sr);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = merkle_node_hash(sha, sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && fr == old_root && sr == new_root;
}

}  // namespace grantledger
