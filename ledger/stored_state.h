// StoredStateSource: a LedgerState's entries read from the `state` column family (spec/LOG.md,
// "Rule state"). Reads see the latest durable state: the writer is the only one that changes it.
#pragma once

#include "ledger/state_source.h"
#include "ledger/store.h"

namespace grantledger {

class StoredStateSource : public StateSource {
 public:
  explicit StoredStateSource(Store& store) : store_(store) {}
  Result<std::optional<Bytes>> get(std::string_view key) override;

 private:
  Store& store_;
};

}  // namespace grantledger
