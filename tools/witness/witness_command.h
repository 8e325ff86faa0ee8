// `grantledger witness serve` and `grantledger witness vkey` (spec/CLI.md, spec/WITNESS.md).
#pragma once

#include "tools/commands.h"

namespace grantledger::cli {

void add_witness(CLI::App& app, Action* action);

}  // namespace grantledger::cli
