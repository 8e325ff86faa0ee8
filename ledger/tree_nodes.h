// The log's Merkle nodes where spec/LOG.md ("Merkle tree") keeps them.
//
// Perfect subtrees of 2^6 = 64 leaves or more are stored in the `tree` family when they
// complete: about one node per 32 events. The smaller ones are not stored; a read hashes them
// from the leaf hashes the commits carry (`eventHashes`, signed with each commit), at most 63
// leaves and 62 nodes for all the nodes below one stored node. Those are the leaf hashes the
// writer stored as level 0 before format v3, so every root and proof is what it was; as before,
// damage to an event's stored bytes does not change the tree (reads that present the event and
// the audit check it against its commit's leaf hash).
//
// Ledgers written before format v3 also hold the smaller nodes. They are never read again; the
// audit still checks them against its recomputation.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/merkle.h"
#include "ledger/store.h"

namespace grantledger {

// The lowest level of the tree the writer stores.
inline constexpr uint8_t kLowestStoredTreeLevel = 6;

// True iff the writer stores node `id` (spec/LOG.md, "On-disk layout").
inline bool tree_node_is_stored(const MerkleNodeId& id) { return id.level >= kLowestStoredTreeLevel; }

// Puts the stored ones of `nodes` (what MerkleFrontier::append completed) into `batch`, in key
// order.
void put_tree_nodes(Store& store, std::vector<std::pair<MerkleNodeId, Hash32>> nodes, rocksdb::WriteBatch* batch);

// Appends to `leaves` the leaf hashes the commit `bytes` carries for events *next .. end - 1 (as
// many as it holds), advancing *next; not_found if it is not commit `sequence` or does not hold
// event *next; corruption if it does not decode. The commit is read without DecodedMessage's
// canonical check, which walks all of it (about 55 us for 1,000 events) where the tree needs three
// fields and a few hashes: a root hashed from wrong values does not match the checkpoint that
// signs it, so they need no check beyond their bounds. capnp bounds-checks every read and reports
// a malformed message as an exception, which this turns into corruption.
Status read_commit_leaves(std::string_view bytes, uint64_t sequence, uint64_t* next, uint64_t end, std::vector<Hash32>* leaves);

// The nodes of the log in `store` as of `snapshot` (null: the latest state): stored nodes read
// from the `tree` family, smaller ones hashed from their commits' leaf hashes. A node or commit
// missing inside the tree, or a commit that does not hold the leaves the commit index says, is
// corruption naming it. The source keeps the hashes of the last few 64-leaf blocks it read, so
// the nodes below one stored node are hashed once however many proofs ask for them.
// `store` and `snapshot` must outlive the source; like MerkleReader, it is not thread-safe.
MerkleNodeSource tree_nodes(Store& store, const rocksdb::Snapshot* snapshot);

}  // namespace grantledger
