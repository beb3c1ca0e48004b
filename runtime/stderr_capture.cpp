#include "runtime/stderr_capture.h"

#include <unistd.h>

#include <cstdio>

namespace ut::runtime {
namespace {

// The real stderr and the capture file while a capture is active, for restore_at_exit().
int g_saved_stderr = -1;
FILE *g_capture_file = nullptr;

std::string read_all(FILE *file) {
  std::string text;
  rewind(file);
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), file)) > 0;) text.append(buf, n);
  return text;
}

}  // namespace

StderrCapture::StderrCapture() {
  fflush(stderr);
  saved_ = dup(STDERR_FILENO);
  file_ = tmpfile();
  if (saved_ >= 0 && file_) dup2(fileno(file_), STDERR_FILENO);
  g_saved_stderr = saved_;
  g_capture_file = file_;
}

std::string StderrCapture::restore() {
  if (saved_ < 0 || !file_) return text_;
  fflush(stderr);
  dup2(saved_, STDERR_FILENO);
  g_saved_stderr = -1;
  g_capture_file = nullptr;
  close(saved_);
  saved_ = -1;
  text_ = read_all(file_);
  fclose(file_);
  file_ = nullptr;
  return text_;
}

std::optional<std::string> StderrCapture::restore_at_exit() {
  if (g_saved_stderr < 0 || !g_capture_file) return std::nullopt;
  fflush(stderr);
  dup2(g_saved_stderr, STDERR_FILENO);
  return read_all(g_capture_file);
}

}  // namespace ut::runtime
