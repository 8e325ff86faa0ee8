#include "ledger/acknowledged_head.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "ledger/bytes.h"
#include "ledger/sha256.h"

namespace grantledger {

namespace {

constexpr std::string_view kMagic = "GLACK1\n";
constexpr size_t kHeaderBytes = 7 + 4;
constexpr size_t kMaxNoteBytes = AcknowledgedHead::kSlotBytes - kHeaderBytes - 32;

Bytes encode_slot(const std::string& note) {
  Bytes slot(kMagic);
  Bytes length;
  put_u64_be(&length, note.size());
  slot += length.substr(4);  // u32 BE
  slot += note;
  Sha256 sha;
  slot += as_view(sha.digest(std::string_view(slot).substr(kMagic.size())));
  slot.resize(AcknowledgedHead::kSlotBytes, '\0');
  return slot;
}

std::optional<std::string> decode_slot(std::string_view slot) {
  if (slot.size() < kHeaderBytes || slot.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  const uint32_t length = static_cast<uint32_t>(get_u64_be(Bytes(4, '\0') + Bytes(slot.substr(7, 4))));
  if (length > kMaxNoteBytes || kHeaderBytes + length + 32 > slot.size()) return std::nullopt;
  Sha256 sha;
  if (as_view(sha.digest(slot.substr(kMagic.size(), 4 + length))) != slot.substr(kHeaderBytes + length, 32)) return std::nullopt;
  return std::string(slot.substr(kHeaderBytes, length));
}

}  // namespace

std::string AcknowledgedHead::path_in(const std::string& dir) {
  return (std::filesystem::path(dir) / "acknowledged-checkpoint").string();
}

Result<std::vector<std::string>> AcknowledgedHead::read_notes(const std::string& dir) {
  const std::string path = path_in(dir);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::vector<std::string>();
    return Status::io_error(path + ": " + std::strerror(errno));
  }
  std::string bytes(2 * kSlotBytes, '\0');
  ssize_t n = ::pread(fd, bytes.data(), bytes.size(), 0);
  ::close(fd);
  if (n < 0) return Status::io_error(path + ": " + std::strerror(errno));
  bytes.resize(static_cast<size_t>(n));
  std::vector<std::string> notes;
  bool damaged = false;
  for (size_t slot = 0; (slot + 1) * kSlotBytes <= bytes.size() && slot < 2; ++slot) {
    const std::string_view raw = std::string_view(bytes).substr(slot * kSlotBytes, kSlotBytes);
    auto note = decode_slot(raw);
    if (note) {
      notes.push_back(std::move(*note));
    } else if (raw.find_first_not_of('\0') != std::string_view::npos) {
      damaged = true;  // written once, unreadable now (a torn write leaves the other slot)
    }
  }
  // Slots never written (zeros, or a file cut short) acknowledge nothing yet; a file whose written
  // slots are all unreadable still says a commit was acknowledged: choose() refuses it.
  if (notes.empty() && damaged) notes.push_back(std::string());
  return notes;
}

Result<std::optional<AcknowledgedCheckpoint>> AcknowledgedHead::choose(const std::vector<std::string>& notes,
                                                                        const std::string& dir, const PublicKey& log_key) {
  std::optional<AcknowledgedCheckpoint> best;
  if (notes.empty()) return best;
  for (const std::string& note : notes) {
    auto cp = verify_checkpoint(note, log_key);
    if (cp && (!best || cp->tree_size > best->checkpoint.tree_size)) best = AcknowledgedCheckpoint{*cp, note};
  }
  if (!best) return Status::corruption(path_in(dir) + ": holds no checkpoint that verifies with the log key");
  return best;
}

Result<AcknowledgedHead> AcknowledgedHead::open_for_writing(const std::string& dir) {
  const std::string path = path_in(dir);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::io_error(path + ": " + std::strerror(errno));
  AcknowledgedHead head(fd, path);
  // Both slots exist from the start, so later writes overwrite allocated blocks in place.
  struct stat st{};
  if (::fstat(fd, &st) != 0) return Status::io_error(path + ": " + std::strerror(errno));
  if (static_cast<size_t>(st.st_size) < 2 * kSlotBytes) {
    std::string zeros(2 * kSlotBytes, '\0');
    if (::pwrite(fd, zeros.data(), zeros.size(), 0) != static_cast<ssize_t>(zeros.size()) || ::fsync(fd) != 0)
      return Status::io_error(path + ": " + std::strerror(errno));
    auto parent = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (parent >= 0) {
      ::fsync(parent);
      ::close(parent);
    }
  }
  return head;
}

AcknowledgedHead::AcknowledgedHead(AcknowledgedHead&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), next_slot_(other.next_slot_) {
  other.fd_ = -1;
}

AcknowledgedHead::~AcknowledgedHead() {
  if (fd_ >= 0) ::close(fd_);
}

Status AcknowledgedHead::record(const std::string& note) {
  if (note.size() > kMaxNoteBytes) return Status::invalid_argument("checkpoint note longer than a slot");
  const Bytes slot = encode_slot(note);
  const off_t offset = static_cast<off_t>(next_slot_ * kSlotBytes);
  if (::pwrite(fd_, slot.data(), slot.size(), offset) != static_cast<ssize_t>(slot.size()) || ::fdatasync(fd_) != 0)
    return Status::io_error(path_ + ": write failed: " + std::strerror(errno));
  next_slot_ = 1 - next_slot_;
  return Status::ok();
}

}  // namespace grantledger
