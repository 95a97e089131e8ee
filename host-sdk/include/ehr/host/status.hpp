// Status and Result<T>: how every SDK call reports success or a failure that names its cause.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>

#include "ehr/channel.h"
#include "ehr/common.h"

namespace ehr::host {

// The outcome of a call: an ehr_status code, plus (on failure) words an admin can act on, the
// field at fault (setting key, manifest field, argument) and, for messaging refusals, the
// ehr_deny_reason. Never carries message bodies or other PHI.
class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(ehr_status code, std::string message, std::string field = {},
         ehr_deny_reason reason = EHR_DENY_NONE);

  static Status ok() { return Status(); }
  static Status invalid_argument(std::string field, std::string message);
  static Status forbidden(std::string message, ehr_deny_reason reason = EHR_DENY_NONE);
  static Status not_found(std::string message, std::string field = {});
  static Status conflict(std::string message);
  static Status unsupported(std::string message);
  static Status storage(std::string message);
  static Status internal(std::string message);
  static Status disabled(std::string message);

  // Takes ownership of `error` (may be NULL) and releases it through its own release function.
  // A failing code with no error still yields a readable message.
  static Status from_c(ehr_status code, ehr_error* error);

  explicit operator bool() const noexcept { return code_ == EHR_STATUS_OK; }
  bool is_ok() const noexcept { return code_ == EHR_STATUS_OK; }
  ehr_status code() const noexcept { return code_; }
  const char* code_name() const noexcept { return ehr_status_name(code_); }
  ehr_deny_reason deny_reason() const noexcept { return reason_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& field() const noexcept { return field_; }

  // "forbidden: <message> [field: <field>]", or "ok".
  std::string to_string() const;

  friend bool operator==(const Status& a, const Status& b) = default;

 private:
  ehr_status code_ = EHR_STATUS_OK;
  ehr_deny_reason reason_ = EHR_DENY_NONE;
  std::string message_;
  std::string field_;
};

// GoogleTest prints a Status through this.
std::ostream& operator<<(std::ostream& out, const Status& status);

// Thrown by Result<T>::value() on a failed result; carries the Status.
class BadResultAccess : public std::logic_error {
 public:
  explicit BadResultAccess(Status status);
  const Status& status() const noexcept { return status_; }

 private:
  Status status_;
};

// Either a T or a failed Status.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design, `return value;`
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit, `return Status::...;`
    if (status_.is_ok()) status_ = Status::internal("a Result was built from an ok Status without a value");
  }

  explicit operator bool() const noexcept { return value_.has_value(); }
  bool is_ok() const noexcept { return value_.has_value(); }
  // Ok when the result holds a value.
  const Status& status() const noexcept { return status_; }

  T& value() & {
    check();
    return *value_;
  }
  const T& value() const& {
    check();
    return *value_;
  }
  T&& value() && {
    check();
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T fallback) const& { return value_ ? *value_ : std::move(fallback); }

 private:
  void check() const {
    if (!value_) throw BadResultAccess(status_);
  }
  std::optional<T> value_;
  Status status_;
};

template <class T>
std::ostream& operator<<(std::ostream& out, const Result<T>& result) {
  if (result) return out << "ok (value)";
  return out << result.status();
}

}  // namespace ehr::host
