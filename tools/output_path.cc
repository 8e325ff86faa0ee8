#include "tools/output_path.h"

#include <filesystem>

namespace grantledger::cli {

Status check_output_path(std::string_view flag, const std::string& path, OutputKind kind) {
  namespace fs = std::filesystem;
  const std::string where = std::string(flag) + " " + path + ": ";
  if (path.empty()) return Status::invalid_argument(std::string(flag) + ": an empty path");
  // "out/" names the directory "out": its parent is the one that must exist.
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  fs::path parent = fs::path(trimmed).parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  fs::file_status parent_status = fs::status(parent, ec);
  if (!fs::exists(parent_status))
    return Status::invalid_argument(where + "the directory " + parent.string() + " does not exist");
  if (!fs::is_directory(parent_status))
    return Status::invalid_argument(where + parent.string() + " is not a directory");
  fs::file_status status = fs::status(trimmed, ec);
  if (kind == OutputKind::kFile && fs::is_directory(status))
    return Status::invalid_argument(where + "is a directory, not a file");
  if (kind == OutputKind::kDirectory && fs::exists(status) && !fs::is_directory(status))
    return Status::invalid_argument(where + "is a file, not a directory");
  return Status::ok();
}

}  // namespace grantledger::cli
