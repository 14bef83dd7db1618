// Status and Result<T>: how expected failures travel through the engine (bad config, bad input, a refused
// plugin, a database error). Exceptions are reserved for programming errors and fatal start-up.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace crmsync {

enum class StatusCode {
  kOk = 0,
  kInvalidConfig,   // the pipeline or a command line is wrong
  kInvalidInput,    // input data could not be understood
  kNotFound,
  kPluginError,     // a plugin was refused or failed
  kStoreError,      // the database failed
  kIoError,
  kCancelled,
  kAuditFailed,     // a data-quality gate stopped the run
  kInternal,
};

/// Name of a status code, for messages and JSON logs.
const char* statusCodeName(StatusCode code);

/// The outcome of an operation that can fail in an expected way. Cheap to copy when OK.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool isOk() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return isOk(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  /// Prepends context ("while loading plugin x: ...") to a failed status; OK stays OK.
  Status withContext(const std::string& context) const {
    if (isOk()) return *this;
    return Status(code_, context + ": " + message_);
  }

  std::string toString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalidConfig(std::string m) { return Status(StatusCode::kInvalidConfig, std::move(m)); }
inline Status invalidInput(std::string m) { return Status(StatusCode::kInvalidInput, std::move(m)); }
inline Status notFound(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status pluginError(std::string m) { return Status(StatusCode::kPluginError, std::move(m)); }
inline Status storeError(std::string m) { return Status(StatusCode::kStoreError, std::move(m)); }
inline Status ioError(std::string m) { return Status(StatusCode::kIoError, std::move(m)); }
inline Status internalError(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

/// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose, like absl::StatusOr
  Result(Status status) : status_(std::move(status)) {}  // NOLINT

  bool isOk() const { return value_.has_value(); }
  explicit operator bool() const { return isOk(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace crmsync

#define CRMSYNC_CONCAT_INNER(a, b) a##b
#define CRMSYNC_CONCAT(a, b) CRMSYNC_CONCAT_INNER(a, b)

/// Returns the status from the enclosing function when it is not OK.
#define RETURN_IF_ERROR(expr)                                   \
  do {                                                          \
    ::crmsync::Status crmsync_status_tmp_ = (expr);             \
    if (!crmsync_status_tmp_.isOk()) return crmsync_status_tmp_; \
  } while (0)

#define CRMSYNC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.isOk()) return tmp.status();               \
  lhs = std::move(tmp).value()

/// `ASSIGN_OR_RETURN(auto x, compute());` binds the value or returns the failed status.
#define ASSIGN_OR_RETURN(lhs, expr) CRMSYNC_ASSIGN_OR_RETURN_IMPL(CRMSYNC_CONCAT(crmsync_result_, __LINE__), lhs, expr)
