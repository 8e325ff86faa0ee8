#include "ledger/postings.h"

#include "ledger/record_codec.h"

namespace grantledger {

Bytes encode_postings(const std::vector<Posting>& postings) {
  RecordWriter w;
  w.u32(static_cast<uint32_t>(postings.size()));
  for (const Posting& p : postings) {
    w.str16(p.account);
    w.i64(p.amount.value);
  }
  return w.take();
}

Result<std::vector<Posting>> decode_postings(std::string_view b) {
  RecordReader r(b);
  uint32_t n = r.u32();
  std::vector<Posting> out;
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    Posting p;
    p.account = r.str16();
    p.amount = Ore{r.i64()};
    out.push_back(std::move(p));
  }
  GL_RETURN_IF_ERROR(r.finish("postings"));
  return out;
}

}  // namespace grantledger
