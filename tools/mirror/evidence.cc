#include "tools/mirror/evidence.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

namespace grantledger::mirror {

namespace {

namespace fs = std::filesystem;

Status sync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Status::io_error("cannot open " + path.string() + " to sync it");
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::ok() : Status::io_error("cannot sync " + path.string());
}

Status write_synced(const fs::path& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::io_error("cannot create " + path.string());
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      ::close(fd);
      return Status::io_error("cannot write " + path.string());
    }
    done += static_cast<size_t>(n);
  }
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::ok() : Status::io_error("cannot sync " + path.string());
}

std::string utc_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm);
  return text;
}

}  // namespace

Result<std::string> keep_evidence(const std::string& data_dir, const ForkEvidence& evidence) {
  std::error_code ec;
  const fs::path parent = fs::path(data_dir) / "evidence";
  fs::create_directories(parent, ec);
  if (ec) return Status::io_error("cannot create " + parent.string() + ": " + ec.message());
  fs::path folder;
  for (int n = 1;; ++n) {
    folder = parent / (utc_stamp() + "-" + std::to_string(n));
    if (fs::create_directory(folder, ec)) break;
    if (ec) return Status::io_error("cannot create " + folder.string() + ": " + ec.message());
  }
  GL_RETURN_IF_ERROR(write_synced(folder / "reason.txt", evidence.reason + "\n"));
  GL_RETURN_IF_ERROR(write_synced(folder / "verified.checkpoint", evidence.verified_checkpoint));
  GL_RETURN_IF_ERROR(write_synced(folder / "served.checkpoint", evidence.served_checkpoint));
  if (!evidence.verified_commit_hex.empty())
    GL_RETURN_IF_ERROR(write_synced(folder / "verified.commit.hex", evidence.verified_commit_hex + "\n"));
  if (!evidence.served_commit_hex.empty())
    GL_RETURN_IF_ERROR(write_synced(folder / "served.commit.hex", evidence.served_commit_hex + "\n"));
  GL_RETURN_IF_ERROR(sync_path(folder, O_RDONLY | O_DIRECTORY));
  GL_RETURN_IF_ERROR(sync_path(parent, O_RDONLY | O_DIRECTORY));
  GL_RETURN_IF_ERROR(sync_path(fs::path(data_dir), O_RDONLY | O_DIRECTORY));
  return folder.string();
}

}  // namespace grantledger::mirror
