// A fresh directory for one test, under gtest's temporary directory, removed with everything in
// it when the test is done.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace ut::testing {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string &prefix = "utrace_test") {
    std::string pattern = ::testing::TempDir() + prefix + "_XXXXXX";
    path_ = mkdtemp(pattern.data()) != nullptr ? std::filesystem::canonical(pattern).string() : "";
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir &) = delete;
  ScratchDir &operator=(const ScratchDir &) = delete;

  // Empty when the directory could not be made.
  const std::string &path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ut::testing
