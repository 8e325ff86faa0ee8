#include "tools/witness/witness_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/durable_file.h"
#include "ledger/sha256.h"
#include "tools/witness/signed_note.h"

namespace grantledger::witness {

namespace {

namespace fs = std::filesystem;

// Replaces `dir`/`name` atomically: a new file written and fsync'd, renamed over it, the directory
// fsync'd (ledger/durable_file.h).
Status write_durably(const std::string& dir, const std::string& name, const std::string& bytes) {
  const std::string path = dir + "/" + name, tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a crash's leftover: the new file must not exist
  Status written = write_new_file_durably(tmp, bytes);
  if (!written.is_ok()) {
    ::unlink(tmp.c_str());
    return written.with_context("witness state: ");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::io_error("witness state: rename " + tmp + ": " + std::strerror(errno));
  return sync_directory(dir);
}

}  // namespace

std::string WitnessStore::origin_hash(const std::string& origin) {
  Sha256 sha;
  return to_hex(sha.digest(origin));
}

Result<std::unique_ptr<WitnessStore>> WitnessStore::open(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir + "/logs", ec);
  if (ec) return Status::io_error("--data " + dir + ": cannot create it: " + ec.message());
  const std::string lock_path = dir + "/witness.lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::io_error("open " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return Status::conflict("--data " + dir + ": another witness process is using it");
    return Status::io_error("flock " + lock_path + ": " + std::strerror(err));
  }
  std::unique_ptr<WitnessStore> store(new WitnessStore(dir, fd));
  for (const auto& entry : fs::directory_iterator(dir + "/logs", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 64 || name.find_first_not_of("0123456789abcdef") != std::string::npos) continue;  // .tmp leftovers
    std::ifstream f(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    if (!f) return Status::corruption("witness state " + entry.path().string() + ": cannot read it");
    if (!parse_signed_note(ss.str())) return Status::corruption("witness state " + entry.path().string() + ": not a signed note");
    store->notes_[name] = ss.str();
  }
  if (ec) return Status::io_error("--data " + dir + "/logs: " + ec.message());
  return store;
}

WitnessStore::~WitnessStore() { ::close(lock_fd_); }

std::optional<std::string> WitnessStore::latest(const std::string& origin) const {
  auto it = notes_.find(origin_hash(origin));
  if (it == notes_.end()) return std::nullopt;
  return it->second;
}

Status WitnessStore::record(const std::string& origin, const std::string& note) {
  const std::string name = origin_hash(origin);
  GL_RETURN_IF_ERROR(write_durably(dir_ + "/logs", name, note));
  notes_[name] = note;
  return Status::ok();
}

}  // namespace grantledger::witness
