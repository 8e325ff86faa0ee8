#include "ledger/stored_state.h"

namespace grantledger {

Result<std::optional<Bytes>> StoredStateSource::get(std::string_view key) {
  auto v = store_.get(Cf::kState, key);
  if (v) return std::optional<Bytes>(std::move(v).value());
  if (v.error().code() == StatusCode::kNotFound) return std::optional<Bytes>();
  return v.error();
}

}  // namespace grantledger
