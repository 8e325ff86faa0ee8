// Small files made durable with POSIX calls: a new file written and fsync'd, a directory fsync'd
// (so the names it holds survive a crash). For files beside the database (a mirror's evidence,
// spec/MIRROR.md); RocksDB makes its own files durable.
#pragma once

#include <string>

#include "ledger/status.h"

namespace grantledger {

// fsyncs directory `path`. io_error naming it on failure.
Status sync_directory(const std::string& path);

// Creates `path` (which must not exist), writes `bytes` and fsyncs it; the caller syncs the
// directory. io_error naming the file on failure (a partial file may remain).
Status write_new_file_durably(const std::string& path, const std::string& bytes);

}  // namespace grantledger
