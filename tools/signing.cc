#include "tools/signing.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace grantledger::cli {

Result<std::vector<Submission>> sign_events(const std::vector<InputEvent>& events, size_t batch, const PrivateKey& key,
                                            const std::string& origin, const std::string& idempotency_key,
                                            int64_t created_at_ns) {
  if (events.empty()) return Status::invalid_argument("the input holds no events");
  if (batch == 0) return Status::invalid_argument("--batch: must be at least 1");
  std::vector<Submission> out;
  const size_t n = (events.size() + batch - 1) / batch;
  for (size_t i = 0; i < n; ++i) {
    std::vector<Bytes> part;
    for (size_t j = i * batch; j < std::min(events.size(), (i + 1) * batch); ++j) part.push_back(events[j].canonical);
    std::string k = idempotency_key.empty() ? "" : n == 1 ? idempotency_key : idempotency_key + "/" + std::to_string(i + 1);
    GL_ASSIGN_OR_RETURN(Submission s, sign_submission(origin, std::move(part), key, std::move(k), created_at_ns));
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<CommitRequest> requests_for(std::vector<Submission> submissions, const std::vector<InputEvent>& events) {
  std::vector<CommitRequest> out;
  size_t next = 0;
  for (auto& s : submissions) {
    CommitRequest r = CommitRequest::from(std::move(s));
    for (size_t j = 0; j < r.events.size(); ++j, ++next)
      r.event_labels.push_back(next < events.size() ? events[next].label : std::string());
    out.push_back(std::move(r));
  }
  return out;
}

Status write_output_file(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::io_error(path + ": cannot write " + tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::io_error(path + ": writing failed: " + why);
    }
    done += static_cast<size_t>(w);
  }
  const bool synced = ::fsync(fd) == 0;
  if (::close(fd) != 0 || !synced) {
    ::unlink(tmp.c_str());
    return Status::io_error(path + ": cannot make it durable");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::io_error(path + ": " + ec.message());
  return Status::ok();
}

}  // namespace grantledger::cli
