#include "tools/reconcile/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace grantledger::reconcile {

Result<std::unique_ptr<RunLock>> RunLock::acquire(const std::string& data_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(data_dir) / "CURRENT", ec))
    return Status::not_found("data directory " + data_dir + " is not a grantledger ledger");
  std::string path = (std::filesystem::path(data_dir) / kRunLockFile).string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::io_error("open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      return Status::conflict("another reconciliation is running on " + data_dir + " (it holds " + path +
                              "); try again when it has finished");
    return Status::io_error("flock " + path + ": " + std::strerror(err));
  }
  return std::unique_ptr<RunLock>(new RunLock(fd));
}

RunLock::~RunLock() { ::close(fd_); }  // closing releases the lock

}  // namespace grantledger::reconcile
