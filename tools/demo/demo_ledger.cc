#include "tools/demo/demo_ledger.h"

#include <filesystem>

#include "ledger/canonical.h"
#include "ledger/ledger.h"
#include "ledger/origin.h"

namespace grantledger::demo {

namespace {

bool has_demo_origin(const std::string& origin) {
  const std::string prefix = std::string(kDefaultOriginPrefix) + kDemoOriginLabel;
  return origin == kLegacyDemoOrigin || origin.rfind(prefix, 0) == 0;
}

// Refusals name the directory and say what the demo accepts.
Status refuse(const std::string& dir, const std::string& why) {
  return Status::invalid_argument("demo --data " + dir + ": " + why +
                                  "; the demo writes only to an absent or empty directory, or to a ledger it created");
}

}  // namespace

Result<DemoDirectory> classify_demo_directory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) return Status::io_error("demo --data " + dir + ": " + ec.message());
  if (!fs::exists(st)) return DemoDirectory::kNew;
  if (!fs::is_directory(st)) return refuse(dir, "not a directory");
  bool empty = fs::is_empty(dir, ec);
  if (ec) return Status::io_error("demo --data " + dir + ": " + ec.message());
  if (empty) return DemoDirectory::kNew;
  if (!fs::exists(fs::path(dir) / "CURRENT", ec)) return refuse(dir, "the directory is not empty and holds no ledger");

  GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(dir, {.read_only = true}));
  if (!has_demo_origin(ledger->origin()))
    return refuse(dir, "it holds a ledger the demo did not create (origin " + ledger->origin() + ")");
  // The genesis commit's first event registers the admin key (spec/LOG.md, "Genesis").
  GL_ASSIGN_OR_RETURN(Bytes genesis_admin, ledger->event(0));
  GL_ASSIGN_OR_RETURN(DecodedMessage msg, DecodedMessage::decode(genesis_admin));
  auto body = msg.root<schema::Event>().getBody();
  if (body.which() != schema::Event::Body::KEY_REGISTERED || body.getKeyRegistered().getRole() != schema::Role::ADMIN)
    return Status::corruption("demo --data " + dir + ": event 0 does not register the admin key");
  const std::string admin_pem = (fs::path(dir) / "keys" / "admin.pem").string();
  if (!fs::exists(admin_pem, ec)) return refuse(dir, "its admin key " + admin_pem + " is missing");
  GL_ASSIGN_OR_RETURN(PrivateKey admin, PrivateKey::load(admin_pem));
  auto registered = body.getKeyRegistered().getPublicKey();
  if (admin.public_key().raw() != std::string_view(reinterpret_cast<const char*>(registered.begin()), registered.size()))
    return refuse(dir, admin_pem + " is not the admin key its genesis commit registered");
  return DemoDirectory::kOwn;
}

Status create_demo_ledger(const std::string& dir) {
  GL_ASSIGN_OR_RETURN(std::string origin, random_origin(kDemoOriginLabel));
  PrivateKey admin = PrivateKey::generate();
  GL_ASSIGN_OR_RETURN(CommitInfo genesis, Ledger::init(dir, origin, admin, kDemoAdminName));
  (void)genesis;
  return admin.save((std::filesystem::path(dir) / "keys" / "admin").string());
}

}  // namespace grantledger::demo
