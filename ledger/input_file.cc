#include "ledger/input_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace grantledger {

Status check_input_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st))
    return Status::invalid_argument(what + " " + path + ": cannot be read: no such file");
  if (std::filesystem::is_directory(st)) return Status::invalid_argument(what + " " + path + ": is a directory, not a file");
  return Status::ok();
}

Result<std::string> read_input_file(const std::string& path, const std::string& what, size_t limit_bytes) {
  GL_RETURN_IF_ERROR(check_input_file(path, what));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::invalid_argument(what + " " + path + ": cannot be read: " + std::strerror(errno));
  std::string s(limit_bytes + 1, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  if (in.bad()) return Status::io_error(what + " " + path + ": read failed");
  s.resize(static_cast<size_t>(in.gcount()));
  if (s.size() > limit_bytes)
    return Status::invalid_argument(what + " " + path + ": larger than " + std::to_string(limit_bytes) + " bytes");
  return s;
}

}  // namespace grantledger
