// Flags whose value is a commit sequence, a tree size, an event index, a count or a seed
// (spec/CLI.md, "Numbers").
#pragma once

#include <CLI/CLI.hpp>

namespace grantledger::cli {

// Accepts 1 to 20 decimal digits whose value fits in 64 bits, nothing else. CLI11 alone converts
// "-1" for an unsigned option by wrapping it to 2^64 - 1, so `log --from -1` printed nothing and
// exited 0; with this check a sign, a space, a fraction or a word is a parse error (exit 2) naming
// the flag. Range limits (e.g. `--limit`) are separate checks.
CLI::Validator unsigned_number();

}  // namespace grantledger::cli
