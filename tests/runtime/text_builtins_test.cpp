// Runtime tests of the builtins whose values user space turns into text: strftime() (the wall
// clock, from a boot-time timestamp), ntop() (IP addresses), and cat() (a file's contents).
#include <cstdio>
#include <ctime>

#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

class TextBuiltins : public Runtime {};

std::string command_output(const std::string &command) {
  std::string out;
  if (FILE *p = popen(command.c_str(), "r")) {
    char buf[256];
    for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
    pclose(p);
  }
  return out;
}

TEST_F(TextBuiltins, StrftimeIsTheWallClockInLocalTime) {
  RunResult r = run_quiet(
      R"(BEGIN { printf("%s|%s|%s\n", strftime("%Y", nsecs), strftime("%H:%M:%S", nsecs), strftime("%S.%f %%f", nsecs)); exit(); })");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(
      r.out, m, std::regex(R"((\d{4})\|(\d\d):(\d\d):(\d\d)\|\d\d\.\d{6} %f\n\n\n)")))
      << r.out;
  EXPECT_EQ(m[1].str() + "\n", command_output("date +%Y"));
  time_t now = time(nullptr);
  tm local{};
  localtime_r(&now, &local);
  int printed = std::stoi(m[2]) * 3600 + std::stoi(m[3]) * 60 + std::stoi(m[4]);
  int expected = local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec;
  int apart = (expected - printed + 86400) % 86400;  // also across midnight
  EXPECT_LE(apart, 5) << r.out;
}

// A strftime() value is one type whatever its format: a map value, a map key, print()'s value.
TEST_F(TextBuiltins, StrftimeInMapsAndPrint) {
  RunResult r = run_quiet(
      R"(BEGIN { @v = strftime("%H", nsecs); @v = strftime("%Y", nsecs); @k[strftime("%Y", nsecs)] = count(); print(strftime("[%Y]", nsecs)); exit(); })");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string year = command_output("date +%Y");
  year.pop_back();
  EXPECT_EQ(r.out, "[" + year + "]\n\n\n@k[" + year + "]: 1\n@v: " + year + "\n") << r.err;
}

// IPv4 from integers as they lie in memory, IPv6 and IPv4 from buffers of 16 and 4 bytes (the
// tracee passes 2001:db8::1, then 10.1.2.3), with or without the address family.
TEST_F(TextBuiltins, NtopOfIntegersAndBuffers) {
  RunResult r = utrace(
      {"-q", "-c", kCBytes, "-e",
       R"(BEGIN { printf("%s %s\n", ntop(0x0100007f), ntop(2, 0xffffffff)); } )"
       "uprobe:" +
           kCBytes +
           R"(:take_address { printf("%s\n", ntop(buf(arg0, arg1))); @[ntop(buf(arg0, 4))] = count(); } )"
           "uprobe:" +
           kCBytes + R"(:take_address /arg1 == 16/ { @six[ntop(10, buf(arg0, 16))] = count(); })"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "127.0.0.1 255.255.255.255\n2001:db8::1\n10.1.2.3\n\n\n"
            "@[10.1.2.3]: 1\n@[32.1.13.184]: 1\n"
            "@six[2001:db8::1]: 1\n")
      << r.err;
}

// pton() gives an address's bytes as an array, which ntop() prints back.
TEST_F(TextBuiltins, PtonGivesTheBytesNtopPrints) {
  RunResult r = run_quiet(
      R"(BEGIN { @a = pton("127.0.0.1"); @b = pton("::1"); )"
      R"(printf("%s %s %s\n", ntop(pton("10.1.2.3")), ntop(pton("fe80::1")), ntop(@a)); exit(); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "10.1.2.3 fe80::1 127.0.0.1\n\n\n@a: [127,0,0,1]\n"
            "@b: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1]\n")
      << r.err;
}

// cat() prints a file whose name it formats like printf; a file that cannot be read is
// bpftrace's error on stderr, and tracing goes on.
TEST_F(TextBuiltins, CatPrintsAFileOrSaysWhyNot) {
  std::string path = "/tmp/utrace-cat-" + std::to_string(getpid()) + ".txt";
  std::ofstream(path) << "first line\nsecond\n";
  RunResult r = run_quiet(
      R"(BEGIN { cat("/tmp/utrace-cat-%d.txt", $1); cat("/nonexistent/utrace-%s", "x"); printf("after\n"); exit(); })",
      {std::to_string(getpid())});
  std::remove(path.c_str());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "first line\nsecond\nafter\n\n\n") << r.err;
  EXPECT_EQ(r.err,
            "ERROR: failed to open file '/nonexistent/utrace-x': No such file or directory\n");
}

}  // namespace
}  // namespace ut
