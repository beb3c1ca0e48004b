// The compile cache as a user meets it: the second run of a script loads the stored object
// instead of compiling, prints the same, and a damaged or disabled cache still gives right output.
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

class Cache : public Runtime {
 protected:
  void SetUp() override {
    Runtime::SetUp();
    dir_ = std::filesystem::temp_directory_path() / ("utrace-cache-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Counts the calls of a tracee that calls f() exactly 100 times.
  RunResult count_calls(std::vector<std::string> extra_args = {},
                        std::vector<std::string> env = {}) {
    RunOptions o;
    o.env = env.empty() ? std::vector<std::string>{"UTRACE_CACHE_DIR=" + dir_.string()} : env;
    std::vector<std::string> args{
        "-v", "-q",
        "-c", kCCalls + " 100 0",
        "-e", "uprobe:" + kCCalls + ":f { @calls = count(); @sum = sum(arg0); }"};
    args.insert(args.begin(), extra_args.begin(), extra_args.end());
    return utrace(args, o);
  }

  std::vector<std::filesystem::path> entries() const {
    std::vector<std::filesystem::path> out;
    if (std::filesystem::exists(dir_))
      for (const auto &e : std::filesystem::directory_iterator(dir_)) out.push_back(e.path());
    return out;
  }

  std::filesystem::path dir_;
};

const char kCounted[] = "\n\n@calls: 100\n@sum: 4950\n";

TEST_F(Cache, SecondRunLoadsTheStoredObject) {
  RunResult first = count_calls();
  EXPECT_EQ(first.out, kCounted) << first.err;
  EXPECT_NE(first.err.find("MB), cached as " + dir_.string()), std::string::npos) << first.err;
  ASSERT_EQ(entries().size(), 1u);

  RunResult second = count_calls();
  EXPECT_EQ(second.out, kCounted) << second.err;
  EXPECT_NE(second.err.find("utrace: BPF object from the cache: " + entries()[0].string()),
            std::string::npos)
      << second.err;
  EXPECT_EQ(entries().size(), 1u);
}

TEST_F(Cache, DamagedEntryIsCompiledAgain) {
  count_calls();
  ASSERT_EQ(entries().size(), 1u);
  std::ofstream(entries()[0], std::ios::trunc) << "not an object";
  RunResult r = count_calls();
  EXPECT_EQ(r.out, kCounted) << r.err;
  EXPECT_NE(r.err.find("utrace: compiled with BCC (compiler process peak RSS "), std::string::npos)
      << r.err;
  EXPECT_NE(count_calls().err.find("from the cache"), std::string::npos);
}

TEST_F(Cache, NoCacheOptionAndEmptyDirectoryCompileEveryTime) {
  for (int i = 0; i < 2; ++i) {
    RunResult r = count_calls({"--no-cache"});
    EXPECT_EQ(r.out, kCounted) << r.err;
    EXPECT_NE(r.err.find("MB), no cache ("), std::string::npos) << r.err;
    r = count_calls({}, {"UTRACE_CACHE_DIR="});
    EXPECT_EQ(r.out, kCounted) << r.err;
    EXPECT_NE(r.err.find("MB), no cache ("), std::string::npos) << r.err;
  }
  EXPECT_TRUE(entries().empty());
}

}  // namespace
}  // namespace ut
