#include "tools/server/tar_archive.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace grantledger::server {

namespace fs = std::filesystem;

namespace {

constexpr size_t kBlock = 512;

void put_octal(char* field, size_t width, uint64_t value) {
  // width - 1 octal digits and a NUL, zero-padded.
  std::string digits(width - 1, '0');
  for (size_t i = width - 1; i-- > 0 && value; value >>= 3) digits[i] = static_cast<char>('0' + (value & 7));
  std::memcpy(field, digits.data(), width - 1);
  field[width - 1] = '\0';
}

std::optional<uint64_t> get_octal(const char* field, size_t width) {
  uint64_t v = 0;
  size_t i = 0;
  while (i < width && field[i] == ' ') ++i;
  bool any = false;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i) {
    if (v >> 60) return std::nullopt;
    v = v * 8 + static_cast<uint64_t>(field[i] - '0');
    any = true;
  }
  for (; i < width; ++i)
    if (field[i] != '\0' && field[i] != ' ') return std::nullopt;
  if (!any) return std::nullopt;
  return v;
}

uint64_t checksum(const char* header) {
  uint64_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(header[i]);
  return sum;
}

// Splits a name into ustar's prefix (155) and name (100) fields at a '/'.
bool split_name(const std::string& path, std::string* prefix, std::string* name) {
  if (path.size() <= 100) {
    *prefix = "";
    *name = path;
    return true;
  }
  for (size_t at = path.find('/'); at != std::string::npos; at = path.find('/', at + 1))
    if (at <= 155 && path.size() - at - 1 <= 100) {
      *prefix = path.substr(0, at);
      *name = path.substr(at + 1);
      return true;
    }
  return false;
}

bool safe_name(const std::string& name) {
  if (name.empty() || name.size() > 255 || name.front() == '/') return false;
  std::stringstream ss(name);
  std::string part;
  while (std::getline(ss, part, '/'))
    if (part.empty() || part == "." || part == "..") return false;
  return name.find('\0') == std::string::npos;
}

}  // namespace

Result<Bytes> archive_directory(const std::string& dir) {
  std::vector<std::pair<std::string, bool>> entries;  // relative name, is directory
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string rel = fs::relative(it->path(), dir).generic_string();
    if (it->is_directory()) entries.emplace_back(rel, true);
    else if (it->is_regular_file()) entries.emplace_back(rel, false);
  }
  if (ec) return Status::io_error("cannot list " + dir + ": " + ec.message());
  std::sort(entries.begin(), entries.end());
  Bytes out;
  for (const auto& [rel, is_dir] : entries) {
    std::string prefix, name;
    if (!split_name(rel, &prefix, &name)) return Status::io_error("name too long for an archive: " + rel);
    std::string content;
    if (!is_dir) {
      std::ifstream f(fs::path(dir) / rel, std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      if (!f) return Status::io_error("cannot read " + rel);
      content = ss.str();
    }
    char header[kBlock] = {};
    std::memcpy(header, name.data(), name.size());
    put_octal(header + 100, 8, is_dir ? 0755 : 0644);
    put_octal(header + 108, 8, 0);
    put_octal(header + 116, 8, 0);
    put_octal(header + 124, 12, content.size());
    put_octal(header + 136, 12, 0);
    header[156] = is_dir ? '5' : '0';
    std::memcpy(header + 257, "ustar", 6);
    std::memcpy(header + 263, "00", 2);
    std::memcpy(header + 345, prefix.data(), prefix.size());
    std::memset(header + 148, ' ', 8);
    put_octal(header + 148, 7, checksum(header));
    header[155] = ' ';
    out.append(header, kBlock);
    out += content;
    out.append((kBlock - content.size() % kBlock) % kBlock, '\0');
  }
  out.append(2 * kBlock, '\0');
  return out;
}

Status unpack_archive(std::string_view archive, const std::string& dir) {
  if (archive.size() > kMaxArchiveBytes) return Status::invalid_argument("archive: larger than the limit");
  if (archive.size() % kBlock != 0) return Status::invalid_argument("archive: not a whole number of 512-byte blocks");
  size_t at = 0, entries = 0;
  while (true) {
    if (at + kBlock > archive.size()) return Status::invalid_argument("archive: ends without its end marker");
    const char* h = archive.data() + at;
    if (std::all_of(h, h + kBlock, [](char c) { return c == '\0'; })) return Status::ok();
    if (++entries > kMaxArchiveEntries) return Status::invalid_argument("archive: too many entries");
    if (std::memcmp(h + 257, "ustar", 5) != 0) return Status::invalid_argument("archive: not a ustar archive");
    auto sum = get_octal(h + 148, 8);
    if (!sum || *sum != checksum(h)) return Status::invalid_argument("archive: header checksum mismatch at byte " + std::to_string(at));
    auto size = get_octal(h + 124, 12);
    if (!size) return Status::invalid_argument("archive: malformed size at byte " + std::to_string(at));
    const std::string prefix(h + 345, strnlen(h + 345, 155)), base(h, strnlen(h, 100));
    const std::string name = prefix.empty() ? base : prefix + "/" + base;
    if (!safe_name(name)) return Status::invalid_argument("archive: unsafe name \"" + name + "\"");
    const char type = h[156];
    at += kBlock;
    const uint64_t padded = (*size + kBlock - 1) / kBlock * kBlock;
    if (padded > archive.size() - at) return Status::invalid_argument("archive: entry " + name + " runs past the end");
    std::error_code ec;
    if (type == '5') {
      fs::create_directories(fs::path(dir) / name, ec);
      if (ec) return Status::io_error("cannot create " + name + ": " + ec.message());
    } else if (type == '0' || type == '\0') {
      fs::create_directories((fs::path(dir) / name).parent_path(), ec);
      std::ofstream f(fs::path(dir) / name, std::ios::binary | std::ios::trunc);
      f.write(archive.data() + at, static_cast<std::streamsize>(*size));
      f.close();
      if (!f) return Status::io_error("cannot write " + name);
    } else {
      return Status::invalid_argument("archive: entry " + name + " is neither a file nor a directory");
    }
    at += padded;
  }
}

}  // namespace grantledger::server
