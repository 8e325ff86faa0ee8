#include "ledger/record_codec.h"

namespace grantledger {

void RecordWriter::u16(uint16_t v) {
  out_.push_back(static_cast<char>(v >> 8));
  out_.push_back(static_cast<char>(v & 0xff));
}

void RecordWriter::u32(uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out_.push_back(static_cast<char>(v >> s));
}

void RecordWriter::str(std::string_view s) {
  GL_ASSERT(s.size() <= UINT32_MAX);
  u32(static_cast<uint32_t>(s.size()));
  out_ += s;
}

void RecordWriter::str16(std::string_view s) {
  GL_ASSERT(s.size() <= 0xffff);
  u16(static_cast<uint16_t>(s.size()));
  out_ += s;
}

bool RecordReader::take(size_t n, std::string_view* out) {
  if (!ok_ || n > in_.size() - pos_) {
    ok_ = false;
    return false;
  }
  *out = in_.substr(pos_, n);
  pos_ += n;
  return true;
}

uint8_t RecordReader::u8() {
  std::string_view b;
  return take(1, &b) ? static_cast<uint8_t>(b[0]) : 0;
}

uint16_t RecordReader::u16() {
  std::string_view b;
  if (!take(2, &b)) return 0;
  return static_cast<uint16_t>((uint16_t(uint8_t(b[0])) << 8) | uint8_t(b[1]));
}

uint32_t RecordReader::u32() {
  std::string_view b;
  if (!take(4, &b)) return 0;
  return (uint32_t(uint8_t(b[0])) << 24) | (uint32_t(uint8_t(b[1])) << 16) | (uint32_t(uint8_t(b[2])) << 8) | uint8_t(b[3]);
}

uint64_t RecordReader::u64() {
  std::string_view b;
  return take(8, &b) ? get_u64_be(b) : 0;
}

bool RecordReader::boolean() {
  uint8_t v = u8();
  if (v > 1) ok_ = false;
  return v == 1;
}

std::string RecordReader::str() {
  uint32_t n = u32();
  std::string_view b;
  return take(n, &b) ? std::string(b) : std::string();
}

std::string RecordReader::str16() {
  uint16_t n = u16();
  std::string_view b;
  return take(n, &b) ? std::string(b) : std::string();
}

std::string RecordReader::raw(size_t n) {
  std::string_view b;
  return take(n, &b) ? std::string(b) : std::string();
}

Status RecordReader::finish(std::string_view what) const {
  if (ok_ && pos_ == in_.size()) return Status::ok();
  return Status::corruption(std::string(what) + ": malformed encoding");
}

}  // namespace grantledger
