// Runtime tests of what bpftrace 0.17 users expect of the command line and of signals: SIGUSR1
// prints the maps and tracing goes on, --version names the bpftrace release, `utrace -` reads
// the program from standard input.
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

class Signals : public Runtime {};

std::string read_text(const std::string &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t count_of(const std::string &text, const std::string &needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Waits up to 20 s for the file at `path` to hold `needle` `times` times; the file's text.
std::string wait_for(const std::string &path, const std::string &needle, size_t times) {
  std::string text;
  for (int i = 0; i < 400 && count_of(text = read_text(path), needle) < times; ++i)
    std::this_thread::sleep_for(50ms);
  return text;
}

// @n is set by an interval probe, so SIGUSR1 reaches utrace while its probes fire.
const char kProgram[] =
    R"(BEGIN { @a = 1; @m["k"] = 2; printf("ready\n"); } interval:ms:50 { @n = 3; })";

TEST_F(Signals, SigusrOnePrintsTheMapsAndTracingGoesOn) {
  std::string path = ::testing::TempDir() + "/utrace-sigusr1.txt";
  std::remove(path.c_str());
  Background tracer({kUtrace, "-o", path, "-e", kProgram});
  ASSERT_NE(wait_for(path, "ready\n", 1).find("ready\n"), std::string::npos) << read_text(path);
  std::this_thread::sleep_for(300ms);  // the interval probe has fired
  const std::string maps = "\n\n@a: 1\n@m[k]: 2\n@n: 3\n";
  tracer.signal(SIGUSR1);
  EXPECT_EQ(wait_for(path, "@n: 3\n", 1), "Attaching 2 probes...\nready\n" + maps);
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(tracer.alive());

  tracer.signal(SIGUSR1);  // again: the maps kept their values
  EXPECT_EQ(wait_for(path, "@n: 3\n", 2), "Attaching 2 probes...\nready\n" + maps + maps);
  tracer.signal(SIGINT);
  EXPECT_EQ(tracer.wait(10s), 0);
  EXPECT_EQ(read_text(path), "Attaching 2 probes...\nready\n" + maps + maps + maps);
}

TEST_F(Signals, SigusrOnePrintsTheMapsAsJsonLines) {
  std::string path = ::testing::TempDir() + "/utrace-sigusr1.json";
  std::remove(path.c_str());
  Background tracer({kUtrace, "-q", "-f", "json", "-o", path, "-e", kProgram});
  ASSERT_NE(wait_for(path, "ready", 1).find("ready"), std::string::npos) << read_text(path);
  std::this_thread::sleep_for(300ms);
  tracer.signal(SIGUSR1);
  std::string printed = wait_for(path, "\"@n\"", 1);
  const std::string ready = "{\"type\": \"printf\", \"data\": \"ready\\n\"}\n";
  const std::string maps =
      "{\"type\": \"map\", \"data\": {\"@a\": 1}}\n"
      "{\"type\": \"map\", \"data\": {\"@m\": {\"k\": 2}}}\n"
      "{\"type\": \"map\", \"data\": {\"@n\": 3}}\n";
  EXPECT_EQ(printed, ready + maps);
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(tracer.alive());
  tracer.signal(SIGINT);
  EXPECT_EQ(tracer.wait(10s), 0);
  EXPECT_EQ(read_text(path), ready + maps + maps);
}

TEST(CommandLine, VersionNamesTheBpftraceReleaseItFollows) {
  for (const char *flag : {"-V", "--version"}) {
    RunResult r = run({kUtrace, flag});
    EXPECT_EQ(r.exit_code, 0) << flag;
    EXPECT_EQ(r.err, "") << flag;
    EXPECT_TRUE(std::regex_match(
        r.out, std::regex(R"(utrace \d+\.\d+\.\d+ \(bpftrace 0\.17 compatible\)\n)")))
        << r.out;
  }
}

TEST(CommandLine, DashReadsTheProgramFromStandardInputAndErrorsNameStdin) {
  RunResult r = run({"/bin/sh", "-c", "echo 'BEGIN { @x = foo(); }' | " + kUtrace + " -"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "stdin:1:14-17: ERROR: Unknown function: foo\n"
            "BEGIN { @x = foo(); }\n"
            "             ~~~\n");
}

TEST_F(Signals, DashRunsTheProgramReadFromStandardInput) {
  RunResult r =
      run({"/bin/sh", "-c",
           "printf '%s\\n' 'BEGIN { printf(\"hi\\n\"); exit(); }' | " + kUtrace + " -q -"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hi\n\n\n");  // and the maps at exit: none
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace ut
