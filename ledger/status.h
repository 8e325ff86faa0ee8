// Status and Result<T>: the one error type that flows through the core.
//
// Expected failures (bad input, rule violations, I/O) are values, never exceptions. Each code's
// meaning, whose fault it is and whether a retry can help is documented in spec/CLI.md, "Exit
// codes"; the CLI maps codes to exit codes in one place (tools/exit_code.h).
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace grantledger {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong (field, value, format): fix the input
  kNotFound,         // a named thing (entity, key, file, sequence) does not exist
  kAlreadyExists,    // an idempotent retry: the original result is returned, nothing written
  kConflict,         // same idempotency key with different content; concurrent run holds a lock
  kRejected,         // a ledger rule (role, balance, date window) rejects the write
  kCorruption,       // a hash, signature or decode mismatch on stored data: never retry
  kIOError,          // the file system or RocksDB failed: may be retried
  kFindings,         // a check ran to completion and found discrepancies (audit, reconcile)
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  static Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status already_exists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status rejected(std::string m) { return {StatusCode::kRejected, std::move(m)}; }
  static Status corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status io_error(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status findings(std::string m) { return {StatusCode::kFindings, std::move(m)}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: line 3: field amount_ore: ..." for logs and the CLI.
  std::string to_string() const;

  // Returns a copy whose message is prefixed with `context` ("file.jsonl: line 3: ").
  Status with_context(const std::string& context) const {
    return is_ok() ? *this : Status(code_, context + message_);
  }

  // Drops the status on purpose; greppable, so a swallowed error is always a decision.
  void ignore_error() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or an error. Accessor names follow std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : value_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(value_).is_ok()) std::abort();  // a Result error must be an error
  }

  bool has_value() const { return std::holds_alternative<T>(value_); }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Status& error() const { return std::get<Status>(value_); }
  Status status() const { return has_value() ? Status::ok() : error(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace grantledger

// Propagation macros: GL_RETURN_IF_ERROR(status_expr); GL_ASSIGN_OR_RETURN(lhs, result_expr).
#define GL_CONCAT_INNER(a, b) a##b
#define GL_CONCAT(a, b) GL_CONCAT_INNER(a, b)
#define GL_RETURN_IF_ERROR(expr)                          \
  do {                                                    \
    ::grantledger::Status gl_status_ = (expr);            \
    if (!gl_status_.is_ok()) return gl_status_;           \
  } while (0)
#define GL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.has_value()) return tmp.error();      \
  lhs = std::move(tmp).value()
#define GL_ASSIGN_OR_RETURN(lhs, expr) \
  GL_ASSIGN_OR_RETURN_IMPL(GL_CONCAT(gl_result_, __LINE__), lhs, expr)

// An invariant of our own code. Stays on in release builds: wrong money must stop the ledger.
#define GL_ASSERT(cond)                                                              \
  do {                                                                               \
    if (!(cond)) ::grantledger::assertion_failed(#cond, __FILE__, __LINE__);         \
  } while (0)

namespace grantledger {
[[noreturn]] void assertion_failed(const char* expr, const char* file, int line);
}  // namespace grantledger
