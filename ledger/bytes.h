// Byte strings and their encodings: big-endian integers (RocksDB keys), hex and base64.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace grantledger {

// Owned bytes. std::string is used as a byte container throughout, as RocksDB does.
using Bytes = std::string;
using Hash32 = std::array<uint8_t, 32>;

inline std::string_view as_view(const Hash32& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}
inline Bytes to_bytes(const Hash32& h) { return Bytes(as_view(h)); }
// REQUIRES: b.size() == 32.
Hash32 to_hash32(std::string_view b);

// Big-endian fixed-width encoding, so RocksDB's bytewise order is numeric order.
void put_u64_be(Bytes* out, uint64_t v);
uint64_t get_u64_be(std::string_view b);  // REQUIRES: b.size() >= 8
Bytes u64_be(uint64_t v);

std::string to_hex(std::string_view bytes);
inline std::string to_hex(const Hash32& h) { return to_hex(as_view(h)); }
// Lower- or upper-case hex; nullopt on odd length or a non-hex digit.
std::optional<Bytes> from_hex(std::string_view hex);

// Standard base64 with padding (RFC 4648 section 4), as C2SP signed notes use.
std::string to_base64(std::string_view bytes);
std::optional<Bytes> from_base64(std::string_view text);

}  // namespace grantledger
