// Recoverable failures as values. An Error carries a message and gains context as it rises
// ("uprobe:/tmp/counter:main.doWork: symbol not found"); exceptions never cross module boundaries.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace ut {

class Error {
 public:
  explicit Error(std::string message) : message_(std::move(message)) {}

  // Prefixes what was being done when the error happened: "ctx: message".
  Error context(const std::string &ctx) && {
    message_ = ctx + ": " + message_;
    return std::move(*this);
  }
  const std::string &message() const { return message_; }

 private:
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T &value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T &value() const & {
    assert(ok());
    return std::get<0>(v_);
  }
  T &&value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }

  const Error &error() const & {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error &&error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error &error() const & {
    assert(!ok_);
    return error_;
  }
  Error &&error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  Error error_{""};
  bool ok_ = true;
};

}  // namespace ut
