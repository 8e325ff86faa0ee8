// libFuzzer target: stored Commit bytes (spec/LOG.md, "Commits") through decode_commit, which
// every reader of the commits family uses, and through read_commit_leaves, which the Merkle tree
// uses for its unstored nodes (ledger/tree_nodes.h): neither may crash, and where decode_commit
// accepts a commit whose hash count is its event count, the tree must read the same leaf hashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/tree_nodes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto commit = decode_commit(bytes);
  if (commit && commit->bytes != bytes) std::abort();  // the record must keep the bytes it came from

  const uint64_t first = commit ? commit->info.first_event_index : 0;
  uint64_t next = first;
  std::vector<Hash32> leaves;
  const Status read = read_commit_leaves(bytes, commit ? commit->info.sequence : 0, &next, UINT64_MAX, &leaves);
  const bool comparable = commit && !commit->event_hashes.empty() &&
                          commit->event_hashes.size() == commit->info.event_count &&
                          first <= UINT64_MAX - commit->event_hashes.size();
  if (comparable && (!read.is_ok() || leaves != commit->event_hashes || next != first + leaves.size())) std::abort();
  return 0;
}
