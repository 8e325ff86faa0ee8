// The demo's own ledger: how `grantledger demo` creates it and how it recognises it again, so it
// never writes its scenario into a ledger or directory that is not its own (spec/CLI.md, "demo").
#pragma once

#include <string>

#include "ledger/status.h"

namespace grantledger::demo {

// A demo ledger's origin is "grantledger.local/demo-<16 random hex digits>" (spec/LOG.md's random
// default with a label), so no two demo ledgers share checkpoints, yet each says what made it.
inline constexpr const char* kDemoOriginLabel = "demo-";
// Every demo ledger had this one origin before origins were random; still recognised.
inline constexpr const char* kLegacyDemoOrigin = "grantledger.local/demo";
inline constexpr const char* kDemoAdminName = "Medarbejder- og Kompetencestyrelsen, admin";

enum class DemoDirectory {
  kNew,  // absent, or an empty directory: the demo creates its ledger there
  kOwn,  // a ledger the demo created: the demo continues or finds it complete
};

// Decides, writing nothing, whether the demo may use `dir`. kOwn requires both marks of a demo
// ledger: the origin (kDemoOriginLabel, or kLegacyDemoOrigin) and DIR/keys/admin.pem holding the
// private half of the admin key the genesis commit registered. invalid_argument for anything else:
// a file, a directory with unrelated files, a ledger made by `init` (even one with
// DIR/keys/admin.pem), a demo ledger whose admin key is missing or replaced. Corruption or an I/O
// error while opening the ledger (read-only) is returned as is.
Result<DemoDirectory> classify_demo_directory(const std::string& dir);

// Creates the demo ledger in `dir`. REQUIRES: classify_demo_directory(dir) returned kNew.
// A random demo origin, a new admin key registered as kDemoAdminName and saved to DIR/keys/admin.pem.
Status create_demo_ledger(const std::string& dir);

}  // namespace grantledger::demo
