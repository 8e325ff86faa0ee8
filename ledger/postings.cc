#include "ledger/postings.h"

namespace grantledger {

Bytes encode_postings(const std::vector<Posting>& postings) {
  Bytes out;
  uint32_t n = static_cast<uint32_t>(postings.size());
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>(n >> s));
  for (const Posting& p : postings) {
    GL_ASSERT(p.account.size() <= 0xffff);
    out.push_back(static_cast<char>(p.account.size() >> 8));
    out.push_back(static_cast<char>(p.account.size() & 0xff));
    out += p.account;
    put_u64_be(&out, static_cast<uint64_t>(p.amount_ore));
  }
  return out;
}

Result<std::vector<Posting>> decode_postings(std::string_view b) {
  auto bad = [] { return Status::corruption("postings: malformed encoding"); };
  if (b.size() < 4) return bad();
  uint32_t n = (uint32_t(uint8_t(b[0])) << 24) | (uint32_t(uint8_t(b[1])) << 16) | (uint32_t(uint8_t(b[2])) << 8) | uint8_t(b[3]);
  size_t pos = 4;
  std::vector<Posting> out;
  for (uint32_t i = 0; i < n; ++i) {
    if (pos + 2 > b.size()) return bad();
    size_t len = (size_t(uint8_t(b[pos])) << 8) | uint8_t(b[pos + 1]);
    pos += 2;
    if (pos + len + 8 > b.size()) return bad();
    Posting p;
    p.account = std::string(b.substr(pos, len));
    pos += len;
    p.amount_ore = static_cast<int64_t>(get_u64_be(b.substr(pos)));
    pos += 8;
    out.push_back(std::move(p));
  }
  if (pos != b.size()) return bad();
  return out;
}

}  // namespace grantledger
