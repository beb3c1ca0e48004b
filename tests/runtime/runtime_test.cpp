// Runtime tests: the real utrace binary, real BPF in the kernel, real tracee programs, checked by
// what utrace prints. They need root; under CI (CI=true) they must run, elsewhere they skip.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/runtime/process.h"

namespace ut {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::run;
using testing::RunOptions;
using testing::RunResult;

const std::string kUtrace = UTRACE_BINARY;
const std::string kGoCounter = TRACEE_DIR "/counter";
const std::string kCLoop = TRACEE_DIR "/loop";
const std::string kSourceDir = UTRACE_SOURCE_DIR;

// The design card names /tmp/counter; tests install the sample there as a user would.
const std::string kTmpCounter = "/tmp/counter";

const char kRateOneLiner[] =
    R"(uprobe:/tmp/counter:"main.doWork" { @ = *uaddr("main.counter"); } interval:s:1 { printf("counter: %d\t %d ops/sec\n", @, @-@prev); @prev = @; })";
const char kAngleOneLiner[] =
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

std::string uprobe_events() {
  std::ifstream in("/sys/kernel/tracing/uprobe_events");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Nothing of utrace's may stay registered once it has exited.
void expect_nothing_left_attached() {
  EXPECT_EQ(uprobe_events().find("utrace"), std::string::npos) << uprobe_events();
}

// The value printed for `name` in the exit map dump ("@name: 123"), or -1.
long long map_value(const std::string &out, const std::string &name) {
  std::smatch m;
  std::regex re("(^|\n)" + std::regex_replace(name, std::regex(R"([@\[\]])"), R"(\$&)") +
                ": (-?[0-9]+)\n");
  return std::regex_search(out, m, re) ? std::stoll(m[2]) : -1;
}

TEST_F(Runtime, DesignCardOneLinerPrintsAGrowingCounterAndItsRate) {
  Background counter({kTmpCounter});
  RunResult r = utrace({"-e", kRateOneLiner}, stop_after(3500ms));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(r.out.rfind("Attaching 2 probes...\n", 0), 0u) << r.out;

  std::regex line(R"(counter: (-?\d+)\t (-?\d+) ops/sec\n)");
  std::vector<std::pair<long long, long long>> samples;
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), line);
       it != std::sregex_iterator(); ++it)
    samples.emplace_back(std::stoll((*it)[1]), std::stoll((*it)[2]));
  ASSERT_GE(samples.size(), 2u) << r.out;
  for (size_t i = 1; i < samples.size(); ++i) {
    EXPECT_GT(samples[i].first, samples[i - 1].first) << r.out;
    EXPECT_GT(samples[i].second, 0) << r.out;
    EXPECT_EQ(samples[i].second, samples[i].first - samples[i - 1].first) << r.out;
  }
  // Maps at exit, after a blank line, in name order.
  std::smatch tail;
  ASSERT_TRUE(std::regex_search(r.out, tail, std::regex(R"(\n\n\n@: (\d+)\n@prev: (\d+)\n$)")))
      << r.out;
  EXPECT_GE(std::stoll(tail[1]), std::stoll(tail[2]));
  EXPECT_TRUE(counter.alive());
  expect_nothing_left_attached();
}

TEST_F(Runtime, AngleBracketOneLinerReadsTheCounter) {
  Background counter({kTmpCounter});
  RunResult r = utrace({"-e", kAngleOneLiner}, stop_after(1500ms));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Attaching 1 probe...\n", 0), 0u) << r.out;
  EXPECT_GT(map_value(r.out, "@"), 0) << r.out;
  EXPECT_TRUE(counter.alive());
}

TEST_F(Runtime, SampleScriptRunsThroughItsShebang) {
  Background counter({kTmpCounter});
  RunOptions o = stop_after(2500ms);
  o.env = {"PATH=" + std::filesystem::path(kUtrace).parent_path().string() + ":" + getenv("PATH")};
  RunResult r = run({kSourceDir + "/samples/counter.bt"}, o);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ops/sec\n"), std::string::npos) << r.out;
  EXPECT_GT(map_value(r.out, "@"), 0) << r.out;
}

TEST_F(Runtime, SigtermAlsoPrintsTheMaps) {
  Background counter({kTmpCounter});
  RunResult r = utrace({"-e", kAngleOneLiner}, stop_after(1500ms, SIGTERM));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(map_value(r.out, "@"), 0) << r.out;
  expect_nothing_left_attached();
}

TEST_F(Runtime, KillNineLeavesNothingAttachedAndTheTargetRunning) {
  Background counter({kTmpCounter});
  RunResult r = utrace({"-e", kRateOneLiner}, stop_after(1500ms, SIGKILL));
  EXPECT_EQ(r.term_signal, SIGKILL);
  expect_nothing_left_attached();
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(counter.alive());
}

TEST_F(Runtime, UprobeOnACProgramSeesItsArgument) {
  Background loop({kCLoop});
  RunResult r = utrace({"-e", "uprobe:" + kCLoop +
                                  ":work { @calls++; if (arg0 > @max) { @max = arg0; } }"
                                  " interval:ms:800 { exit(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  long long calls = map_value(r.out, "@calls"), max = map_value(r.out, "@max");
  EXPECT_GT(calls, 50) << r.out;
  EXPECT_GT(max, 0) << r.out;
}

TEST_F(Runtime, BeginPrintfAndExit) {
  RunResult r = utrace(
      {"-e",
       R"(BEGIN { printf("%d %d %d %d %d\n", 1 + 2 * 3, (1 + 2) * 3, 1 << 2 + 1, 6 & 3 == 3, !0 + ~0); printf("%d %u %x\n", 5000000000, -1, 255); exit(); })"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Attaching 1 probe...\n7 9 8 0 0\n5000000000 18446744073709551615 ff\n\n\n");
}

TEST_F(Runtime, StringArgumentsKeepTheirPlaces) {
  RunResult r = utrace({"-q", "-e", R"(BEGIN { printf("[%s|%s|%s] [%s] %d\n", "abc", "abd", "abe", comm, 7); exit(); })"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[abc|abd|abe] [utrace] 7\n\n\n");
}

TEST_F(Runtime, EndRunsAfterExitAndMapsPrintInNameOrder) {
  RunResult r = utrace(
      {"-q", "-e",
       R"(BEGIN { @b = 2; @a = 1; @c[3] = 30; @c[1] = 10; exit(); } END { printf("end\n"); })"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "end\n\n\n@a: 1\n@b: 2\n@c[1]: 10\n@c[3]: 30\n");
}

TEST_F(Runtime, IntervalFiresAtItsRate) {
  RunResult r = utrace({"-q", "-e", "interval:ms:100 { @n++; if (@n == 5) { exit(); } }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n\n@n: 5\n");
}

TEST_F(Runtime, ExitCodeIsPassedOn) {
  RunResult r = utrace({"-q", "-e", "BEGIN { exit(3); }"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST_F(Runtime, MissingBinaryIsALocatedError) {
  RunResult r = utrace({"-e", "uprobe:/nonexistent/bin:foo { exit(); }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "stdin:1:1-28: ERROR: uprobe target file '/nonexistent/bin' does not exist or is not "
            "executable\n"
            "uprobe:/nonexistent/bin:foo { exit(); }\n"
            "~~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
}

TEST_F(Runtime, MissingSymbolIsALocatedError) {
  RunResult r = utrace({"-e", "uprobe:/tmp/counter:main.nope { @ = *uaddr(\"main.nothere\"); }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "stdin:1:1-30: ERROR: symbol 'main.nope' not found in /tmp/counter\n"
            "uprobe:/tmp/counter:main.nope { @ = *uaddr(\"main.nothere\"); }\n"
            "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "stdin:1:38-59: ERROR: symbol 'main.nothere' not found in /tmp/counter\n"
            "uprobe:/tmp/counter:main.nope { @ = *uaddr(\"main.nothere\"); }\n"
            "                                     ~~~~~~~~~~~~~~~~~~~~~\n");
}

TEST_F(Runtime, ScriptErrorsExitOneWithoutLoading) {
  RunResult r = utrace({"-e", "BEGIN { foo(1); }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "stdin:1:9-12: ERROR: Unknown function: foo\nBEGIN { foo(1); }\n        ~~~\n");
  RunResult missing = utrace({"/tmp/utrace-no-such-script.bt"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(
      missing.err,
      "ERROR: failed to open file '/tmp/utrace-no-such-script.bt': No such file or directory\n");
}

TEST_F(Runtime, WithoutPrivilegesSaysSoInOneLine) {
  RunResult r = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                     "--inh-caps=-all", kUtrace, "-e", kAngleOneLiner});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "ERROR: utrace needs root (or the CAP_BPF and CAP_PERFMON capabilities) to load BPF "
            "programs\n");
}

TEST_F(Runtime, MissingKernelHeadersAreExplained) {
  // In a private mount namespace, hide the headers BCC would compile against.
  std::string script =
      "mount -t tmpfs none /lib/modules/$(uname -r) && exec \"$0\" -e 'BEGIN { exit(); }'";
  RunResult r = run({"unshare", "-m", "--propagation", "private", "sh", "-c", script, kUtrace});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("ERROR: no kernel headers at /lib/modules/"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("run scripts/setup.sh"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(Runtime, MissingTracefsIsExplained) {
  std::string script = "umount /sys/kernel/tracing && exec \"$0\" -e 'BEGIN { exit(); }'";
  RunResult r = run({"unshare", "-m", "--propagation", "private", "sh", "-c", script, kUtrace});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err,
            "ERROR: tracefs is not mounted at /sys/kernel/tracing: run scripts/setup.sh, or "
            "'mount -t tracefs nodev /sys/kernel/tracing'\n");
}

TEST_F(Runtime, DumpNeedsNoRoot) {
  RunResult r = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                     "--inh-caps=-all", kUtrace, "--dump=c", "-e", kRateOneLiner});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("int probe_0(struct pt_regs *ctx)"), std::string::npos);
}

}  // namespace
}  // namespace ut
