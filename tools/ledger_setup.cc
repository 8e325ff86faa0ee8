#include "tools/ledger_setup.h"

#include <filesystem>

#include "ledger/ed25519.h"
#include "ledger/ledger.h"
#include "ledger/origin.h"

namespace grantledger::cli {

Result<InitResult> init_ledger(const std::string& dir, const std::string& admin_key_path,
                               const std::string& admin_name, std::string origin) {
  std::optional<PrivateKey> admin;
  if (!admin_key_path.empty()) {
    GL_ASSIGN_OR_RETURN(admin, PrivateKey::load(admin_key_path));
  } else {
    admin = PrivateKey::generate();
  }
  if (origin.empty()) {
    GL_ASSIGN_OR_RETURN(origin, random_origin());
  }
  GL_ASSIGN_OR_RETURN(CommitInfo genesis, Ledger::init(dir, origin, *admin, admin_name));
  (void)genesis;
  InitResult r{origin, admin_key_path};
  if (admin_key_path.empty()) {
    r.admin_key_path = (std::filesystem::path(dir) / "keys" / "admin").string();
    GL_RETURN_IF_ERROR(admin->save(r.admin_key_path));
    r.admin_key_path += ".pem";
  }
  return r;
}

}  // namespace grantledger::cli
