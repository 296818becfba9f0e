// Result<T>: a value or an Error. Every failure in the store module travels this way; no
// exception leaves its public API. An Error carries a code to branch on and a message for a
// person (naming the statement and SQLite's own words where SQLite failed).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kiln::store {

enum class ErrorCode {
  kNotFound,         // no such row
  kAlreadyExists,    // a unique key is taken (including "an open workflow for this key")
  kConflict,         // a stale version or a transition the row's current state forbids
  kConstraint,       // a foreign key, CHECK or NOT NULL constraint refused the write
  kInvalidArgument,  // the caller's input is unusable (e.g. state that is not valid UTF-8)
  kSchemaTooNew,     // the database was written by a newer kiln
  kNotADatabase,     // the file is not SQLite, or is SQLite but not a kiln metadata DB
  kCorrupt,          // SQLite reports corruption, or a stored value is outside its domain
  kBusy,             // another connection held the lock past busy_timeout
  kStorage,          // any other SQLite or I/O failure
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kStorage;
  std::string message;

  static Error not_found(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
  static Error invalid_argument(std::string m) {
    return {ErrorCode::kInvalidArgument, std::move(m)};
  }
  static Error corrupt(std::string m) { return {ErrorCode::kCorrupt, std::move(m)}; }
  // "<code>: <message>", for logs and test output.
  std::string describe() const;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  // value() requires ok(); error() requires !ok().
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const Error& error() const { return std::get<Error>(v_); }
  ErrorCode code() const { return error().code; }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }
  ErrorCode code() const { return error_.code; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace kiln::store
