// A full disk (issue 14): a ledger on a small tmpfs, the rest of the file system filled by a
// file. `append` must fail with exit 4 and acknowledge nothing; once the filler is deleted, the
// ledger opens, audits clean and has the head it had before, and takes the append.
// Needs root (mount(2) of a tmpfs): the test fails, with the reason, where it cannot mount.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/cli_support.h"

using namespace grantledger::testing;
namespace fs = std::filesystem;

namespace {

// A tmpfs of `size_kib` mounted on `dir` for the object's lifetime.
class TmpfsMount {
 public:
  TmpfsMount(std::string dir, uint64_t size_kib) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    const std::string options = "size=" + std::to_string(size_kib) + "k";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) != 0)
      FAIL("mount -t tmpfs -o "
           << options << " tmpfs " << dir_ << " failed: " << std::strerror(errno)
           << ". The disk-full test needs root (CAP_SYS_ADMIN) to mount a small file system.");
    mounted_ = true;
  }
  ~TmpfsMount() {
    if (!mounted_) return;
    // A child killed mid-write may still be closing files: detach if the mount is busy.
    if (::umount2(dir_.c_str(), 0) != 0) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

 private:
  std::string dir_;
  bool mounted_ = false;
};

// Writes `path` until the file system refuses (ENOSPC); returns the bytes written.
uint64_t fill(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  std::string chunk(64 * 1024, 'x');
  uint64_t written = 0;
  for (size_t size = chunk.size(); size > 0; size /= 2) {
    for (;;) {
      ssize_t n = ::write(fd, chunk.data(), size);
      if (n <= 0) break;
      written += static_cast<uint64_t>(n);
    }
  }
  int err = errno;
  ::close(fd);
  INFO("filling " << path << ": " << std::strerror(err));
  CHECK(err == ENOSPC);
  return written;
}

// `n` new providers, one JSON line each (a few hundred bytes per event once stored).
std::string providers(const TempDir& tmp, const std::string& name, int n) {
  std::string path = tmp / name;
  std::ofstream f(path);
  for (int i = 0; i < n; ++i) {
    std::string code = name + "-" + std::to_string(i);
    f << nlohmann::json{{"type", "entity_registered"},
                        {"effective_date", "2012-01-01"},
                        {"kind", "provider"},
                        {"code", code},
                        {"name",
                         "Kursusudbyder med et langt navn, så hver hændelse fylder " + code}}
             .dump()
      << "\n";
  }
  return path;
}

}  // namespace

TEST_CASE(
    "disk full: append fails with exit 4, acknowledges nothing, and the ledger is intact after",
    "[robustness][disk_full]") {
  TempDir tmp;
  TmpfsMount mount(tmp / "fs", 16384);
  const std::string dir = tmp / "fs/ledger", filler = tmp / "fs/filler", admin = tmp / "admin.pem";
  REQUIRE(run_cli(tmp, {"keygen", "--out", tmp / "admin"}).exit_code == 0);
  auto init = run_cli(
      tmp, {"init", "--data", dir, "--admin-key", admin, "--origin", "test.local/disk-full"});
  INFO(init.err);
  REQUIRE(init.exit_code == 0);
  auto first = run_cli(
      tmp, {"append", "--data", dir, "--key", admin, "--input", providers(tmp, "first", 50)});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const std::string big = providers(tmp, "big", 2000);

  // Completely full, then with a little room: too little for the commit, enough that the open
  // may get further before the write fails.
  for (uint64_t room_bytes : {uint64_t{0}, uint64_t{4096}, uint64_t{32768}, uint64_t{131072}}) {
    INFO("room left on the file system: " << room_bytes << " bytes");
    auto log_before = run_cli(tmp, {"log", "--data", dir, "--format", "json", "--limit", "100000"});
    auto checkpoint_before = run_cli(tmp, {"checkpoint", "--data", dir});
    REQUIRE(log_before.exit_code == 0);
    REQUIRE(checkpoint_before.exit_code == 0);

    uint64_t filled = fill(filler);
    if (room_bytes > 0) fs::resize_file(filler, filled > room_bytes ? filled - room_bytes : 0);
    auto full = run_cli(
        tmp, {"append", "--data", dir, "--key", admin, "--input", big, "--idempotency-key", "big"});
    INFO("append on a full disk: exit " << full.exit_code << "\n" << full.out << full.err);
    CHECK(full.exit_code == 4);
    CHECK(full.out.find("committed") == std::string::npos);
    CHECK(full.err.find("io_error") != std::string::npos);

    fs::remove(filler);
    auto audit = run_cli(tmp, {"audit", "--data", dir});
    INFO("audit after the filler was deleted: exit " << audit.exit_code << "\n"
                                                     << audit.out << audit.err);
    CHECK(audit.exit_code == 0);
    auto log_after = run_cli(tmp, {"log", "--data", dir, "--format", "json", "--limit", "100000"});
    INFO(log_after.err);
    CHECK(log_after.exit_code == 0);
    CHECK(log_after.out == log_before.out);
    CHECK(run_cli(tmp, {"checkpoint", "--data", dir}).out == checkpoint_before.out);
  }
  // With room again, the ledger opens for writing and takes the append it refused.
  auto again = run_cli(
      tmp, {"append", "--data", dir, "--key", admin, "--input", big, "--idempotency-key", "big"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(again.out.rfind("committed seq=2 ", 0) == 0);
  auto audit = run_cli(tmp, {"audit", "--data", dir});
  INFO(audit.out << audit.err);
  CHECK(audit.exit_code == 0);
}
