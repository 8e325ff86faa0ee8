// A directory as a POSIX ustar archive and back (spec/SERVER.md, "GET /v1/bundle"): how the
// service sends an audit bundle and the client writes it out. Only what a bundle holds is
// supported: regular files and directories, relative paths without "..", at most 255 bytes.
// Reading is strict (checksums, sizes, names, limits), since the archive comes over the network.
#pragma once

#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace grantledger::server {

// Limits of an archive the client unpacks.
inline constexpr size_t kMaxArchiveEntries = 10'000'000;
inline constexpr size_t kMaxArchiveBytes = 16ull << 30;

// Every file below `dir`, in name order, as a ustar archive. io_error if one cannot be read.
Result<Bytes> archive_directory(const std::string& dir);

// Writes the archive's files below `dir` (which must exist). invalid_argument for anything but a
// well-formed archive of regular files and directories with safe relative names.
Status unpack_archive(std::string_view archive, const std::string& dir);

}  // namespace grantledger::server
