// The fixture every runtime test shares: privileges, the tracee programs, running utrace.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/runtime/process.h"

namespace ut {

using namespace std::chrono_literals;
using testing::Background;
using testing::run;
using testing::RunOptions;
using testing::RunResult;

inline const std::string kUtrace = UTRACE_BINARY;
inline const std::string kGoCounter = TRACEE_DIR "/counter";
inline const std::string kCLoop = TRACEE_DIR "/loop";
inline const std::string kCCalls = TRACEE_DIR "/calls";
inline const std::string kCBytes = TRACEE_DIR "/bytes";
inline const std::string kCSyscalls = TRACEE_DIR "/syscalls";
inline const std::string kSourceDir = UTRACE_SOURCE_DIR;

// The design card names /tmp/counter; tests install the sample there as a user would.
inline const std::string kTmpCounter = "/tmp/counter";

inline const char kRateOneLiner[] =
    R"(uprobe:/tmp/counter:"main.doWork" { @ = *uaddr("main.counter"); } interval:s:1 { printf("counter: %d\t %d ops/sec\n", @, @-@prev); @prev = @; })";
inline const char kAngleOneLiner[] =
    R"(uprobe:/tmp/counter:"main.doWork" < @ = *uaddr("main.counter"); >)";

class Runtime : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      const char *ci = getenv("CI");
      if (ci && std::string(ci) == "true") FAIL() << "runtime tests must run as root under CI";
      GTEST_SKIP() << "runtime tests need root to load BPF programs (run as root, or CI=true)";
    }
    install_counter();
  }

  static void install_counter() {
    std::error_code ec;
    std::filesystem::copy_file(kGoCounter, kTmpCounter + ".new",
                               std::filesystem::copy_options::overwrite_existing, ec);
    ASSERT_FALSE(ec) << ec.message();
    std::filesystem::rename(kTmpCounter + ".new", kTmpCounter, ec);  // safe while one runs
    ASSERT_FALSE(ec) << ec.message();
  }

  static RunResult utrace(const std::vector<std::string> &args, RunOptions options = {}) {
    std::vector<std::string> argv{kUtrace};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, options);
  }

  static RunOptions stop_after(std::chrono::milliseconds d, int sig = SIGINT) {
    RunOptions o;
    o.stop_after = d;
    o.stop_signal = sig;
    return o;
  }
};

// Runs a test twice, once per way utrace attaches uprobes: one uprobe_multi link per file, and
// one perf event per place (UTRACE_NO_UPROBE_MULTI=1), what kernels before 6.6 get. Instantiate
// with ::testing::Values(true, false) and attach_path_name.
class BothAttachPaths : public Runtime, public ::testing::WithParamInterface<bool> {
 protected:
  RunResult trace(const std::vector<std::string> &args) {
    RunOptions options;
    if (!GetParam()) options.env.push_back("UTRACE_NO_UPROBE_MULTI=1");
    std::vector<std::string> argv{kUtrace};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, options);
  }
};

inline std::string attach_path_name(const ::testing::TestParamInfo<bool> &info) {
  return info.param ? "Multi" : "PerfEvents";
}

inline std::string uprobe_events() {
  std::ifstream in("/sys/kernel/tracing/uprobe_events");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Nothing of utrace's may stay registered once it has exited.
inline void expect_nothing_left_attached() {
  EXPECT_EQ(uprobe_events().find("utrace"), std::string::npos) << uprobe_events();
}

// The value printed for `name` in the exit map dump ("@name: 123"), or -1.
inline long long map_value(const std::string &out, const std::string &name) {
  std::smatch m;
  std::regex re("(^|\n)" +
                std::regex_replace(name, std::regex(R"([@\[\]\\^$.|?*+(){}])"), R"(\$&)") +
                ": (-?[0-9]+)\n");
  return std::regex_search(out, m, re) ? std::stoll(m[2]) : -1;
}

// Runs a program with -q and returns what it printed, for programs that end by themselves.
inline RunResult run_quiet(const std::string &program,
                           const std::vector<std::string> &params = {}) {
  std::vector<std::string> argv{kUtrace, "-q", "-e", program};
  argv.insert(argv.end(), params.begin(), params.end());
  return run(argv);
}

}  // namespace ut
