// Creating a ledger from the CLI (`init`).
#pragma once

#include <string>

#include "ledger/status.h"

namespace grantledger::cli {

struct InitResult {
  std::string origin;
  std::string admin_key_path;
};

// Creates the ledger in `dir`. With an empty `admin_key_path` a new admin key is generated and
// written to DIR/keys/admin.pem; with an empty `origin` a unique one is chosen.
Result<InitResult> init_ledger(const std::string& dir, const std::string& admin_key_path,
                               const std::string& admin_name, std::string origin);

}  // namespace grantledger::cli
