// libFuzzer target: an answer of GET /v1/log/raw (spec/SERVER.md, "Raw log") through
// parse_raw_log, the parser a mirror runs on what a server sends before it verifies anything.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "tools/server/raw_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string answer(reinterpret_cast<const char*>(data), size);
  auto commits = grantledger::server::parse_raw_log(answer);
  if (!commits) return 0;
  // What parsed, written as a server writes it (raw_log_line), parses back to the same bytes.
  std::string written;
  for (const auto& c : *commits) written += grantledger::server::raw_log_line(c.commit, c.events, c.checkpoint);
  auto again = grantledger::server::parse_raw_log(written);
  if (!again || again->size() != commits->size()) std::abort();
  for (size_t i = 0; i < commits->size(); ++i)
    if ((*again)[i].commit != (*commits)[i].commit || (*again)[i].events != (*commits)[i].events ||
        (*again)[i].checkpoint != (*commits)[i].checkpoint)
      std::abort();
  return 0;
}
