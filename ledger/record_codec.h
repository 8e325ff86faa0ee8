// RecordWriter / RecordReader: the small binary encoding of stored values that are not Cap'n
// Proto messages (postings, the rule state; spec/LOG.md, "Postings" and "Rule state").
//
// Integers are big-endian and fixed width; a string is a u32 BE length (u16 where a format says
// so) and its bytes. A reader never reads beyond its input: every get_* checks the length and
// records the first failure, which finish() returns as corruption naming what was decoded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace grantledger {

class RecordWriter {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v);
  void u32(uint32_t v);
  void u64(uint64_t v) { put_u64_be(&out_, v); }
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  // u32 length, then the bytes.
  void str(std::string_view s);
  // u16 length, then the bytes. REQUIRES: s.size() <= 0xffff.
  void str16(std::string_view s);
  void raw(std::string_view s) { out_ += s; }
  Bytes take() { return std::move(out_); }
  Bytes& bytes() { return out_; }

 private:
  Bytes out_;
};

class RecordReader {
 public:
  explicit RecordReader(std::string_view in) : in_(in) {}
  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  uint64_t u64();
  int32_t i32() { return static_cast<int32_t>(u32()); }
  int64_t i64() { return static_cast<int64_t>(u64()); }
  // A byte that must be 0 or 1.
  bool boolean();
  std::string str();
  std::string str16();
  std::string raw(size_t n);
  // Marks the record malformed (a value out of range).
  void fail() { ok_ = false; }
  bool ok() const { return ok_; }
  // Every byte consumed: a field added to a record later is written only when it is not empty,
  // at the end, and read only when bytes remain (spec/LOG.md, "Rule state").
  bool at_end() const { return pos_ == in_.size(); }
  // ok() and every byte consumed; otherwise corruption "<what>: malformed encoding".
  Status finish(std::string_view what) const;

 private:
  bool take(size_t n, std::string_view* out);
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace grantledger
