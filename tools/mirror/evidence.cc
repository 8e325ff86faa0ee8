#include "tools/mirror/evidence.h"

#include <ctime>
#include <filesystem>

#include "ledger/durable_file.h"

namespace grantledger::mirror {

namespace {

namespace fs = std::filesystem;

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
  GL_RETURN_IF_ERROR(write_new_file_durably((folder / "reason.txt").string(), evidence.reason + "\n"));
  GL_RETURN_IF_ERROR(write_new_file_durably((folder / "verified.checkpoint").string(), evidence.verified_checkpoint));
  GL_RETURN_IF_ERROR(write_new_file_durably((folder / "served.checkpoint").string(), evidence.served_checkpoint));
  if (!evidence.verified_commit_hex.empty())
    GL_RETURN_IF_ERROR(write_new_file_durably((folder / "verified.commit.hex").string(), evidence.verified_commit_hex + "\n"));
  if (!evidence.served_commit_hex.empty())
    GL_RETURN_IF_ERROR(write_new_file_durably((folder / "served.commit.hex").string(), evidence.served_commit_hex + "\n"));
  GL_RETURN_IF_ERROR(sync_directory(folder.string()));
  GL_RETURN_IF_ERROR(sync_directory(parent.string()));
  GL_RETURN_IF_ERROR(sync_directory(data_dir));
  return folder.string();
}

}  // namespace grantledger::mirror
