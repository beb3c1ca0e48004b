// BCC, its Clang and the kernel's loaders report on stderr, including harmless noise on every load
// ("sha1 socket not available"). A StderrCapture sends stderr to a temporary file while it lives;
// the text is kept for an error message when the call fails and dropped otherwise.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

namespace ut::runtime {

class StderrCapture {
 public:
  StderrCapture();
  ~StderrCapture() { restore(); }
  StderrCapture(const StderrCapture &) = delete;
  StderrCapture &operator=(const StderrCapture &) = delete;

  // Restores stderr and returns what was written to it meanwhile.
  std::string restore();

  // When the process exits while a capture is active (LLVM ends it on some errors), restores
  // stderr and returns the captured text; nothing otherwise. For an atexit handler.
  static std::optional<std::string> restore_at_exit();

 private:
  int saved_ = -1;
  FILE *file_ = nullptr;
  std::string text_;
};

}  // namespace ut::runtime
