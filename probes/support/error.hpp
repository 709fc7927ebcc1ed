// One error type for the whole project, in the manner of crun's libcrun_error_t:
// an errno (0 when the failure is not a system call's) and a message that gains
// context as it rises: "fstat masked dir `/proc/acpi`: Permission denied".
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace procmatrix {

class Error {
 public:
  Error(int err, std::string message) : errno_(err), message_(std::move(message)) {}

  // An error from the errno of the system call that just failed.
  static Error from_errno(std::string what) { return Error(errno, std::move(what)); }

  int err() const { return errno_; }
  // "context: message: strerror" — what a user reads.
  std::string describe() const;
  const std::string& message() const { return message_; }

  // Adds the caller's context in front: "reading catalog: " + message.
  Error with_context(const std::string& context) const& { return Error(errno_, context + ": " + message_); }

 private:
  int errno_;
  std::string message_;
};

// A value or the Error that kept it from being made (PosixErrorOr, in gVisor's words).
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}        // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const Error& error() const { return std::get<Error>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

// For functions that return nothing but may fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace procmatrix
