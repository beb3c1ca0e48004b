// Runtime tests of where output goes and of what is dropped: -o, lost events, full maps.
#include <fstream>

#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

class Output : public Runtime {};

TEST_F(Output, DashOWritesEverythingToTheFile) {
  std::string path = ::testing::TempDir() + "/utrace-out.txt";
  RunResult r = utrace({"-o", path, "-e", "BEGIN { printf(\"hello\\n\"); @x = 1; exit(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "Attaching 1 probe...\nhello\n\n\n@x: 1\n");
}

TEST_F(Output, AProgramWithErrorsLeavesTheOutputFileAlone) {
  std::string path = ::testing::TempDir() + "/utrace-keep.txt";
  std::ofstream(path) << "kept\n";
  RunResult r = utrace({"-o", path, "-e", "BEGIN { @x = foo(); }"});
  EXPECT_EQ(r.exit_code, 1);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "kept\n");
}

// The same accounting with either transport: the ring buffer, and the perf buffer used on kernels
// without one (UTRACE_EVENTS=perf forces it here).
class Transport : public Runtime, public ::testing::WithParamInterface<const char *> {};

TEST_P(Transport, EveryEventIsPrintedOrCountedAsLost) {
  // A one-page ring buffer cannot keep up with 200,000 events in a burst.
  const int kCalls = 200000;
  RunOptions o;
  o.env = {"UTRACE_RING_PAGES=1", std::string("UTRACE_EVENTS=") + GetParam()};
  RunResult r = run({kUtrace, "-q", "-c", kCCalls + " " + std::to_string(kCalls) + " 0", "-e",
                     "uprobe:" + kCCalls + ":f { printf(\"%d\\n\", arg0); }"},
                    o);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  long printed = std::count(r.out.begin(), r.out.end(), '\n') - 2;  // less the exit's "\n\n"
  std::smatch total;
  ASSERT_TRUE(
      std::regex_search(r.err, total, std::regex("WARNING: (\\d+) events were lost in all")))
      << r.err.substr(0, 500);
  long lost = std::stol(total[1]);
  EXPECT_GT(lost, 0);
  EXPECT_EQ(printed + lost, kCalls) << "printed " << printed << ", lost " << lost;
  // The losses were also reported as they happened.
  long reported = 0;
  std::regex line("Lost (\\d+) events\\n");
  for (auto it = std::sregex_iterator(r.err.begin(), r.err.end(), line);
       it != std::sregex_iterator(); ++it)
    reported += std::stol((*it)[1]);
  EXPECT_EQ(reported, lost);
}

TEST_P(Transport, PrintfAndPrintArriveIntact) {
  RunOptions o;
  o.env = {std::string("UTRACE_EVENTS=") + GetParam()};
  RunResult r =
      run({kUtrace, "-q", "-e",
           R"(BEGIN { printf("%s %d %s\n", comm, -42, str($1)); print(7); exit(); })", "x"},
          o);
  EXPECT_EQ(r.out, "utrace -42 x\n7\n\n\n") << r.err;
}

INSTANTIATE_TEST_SUITE_P(Events, Transport, ::testing::Values("ring", "perf"));

TEST_F(Output, UpdatesOfAFullMapAreCountedAndReportedOnce) {
  RunOptions o;
  o.env = {"UTRACE_MAP_KEYS_MAX=10"};
  RunResult r =
      run({kUtrace, "-q", "-e",
           "BEGIN { $i = 0; while ($i < 25) { @m[$i] = 1; @c[$i] = count(); $i++; } exit(); }"},
          o);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err,
            "WARNING: 15 updates of @c were dropped: the map was full (10 keys; raise "
            "UTRACE_MAP_KEYS_MAX)\n"
            "WARNING: 15 updates of @m were dropped: the map was full (10 keys; raise "
            "UTRACE_MAP_KEYS_MAX)\n");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2 + 20);
}

TEST_F(Output, JsonIsOneValidObjectPerLine) {
  std::string path = ::testing::TempDir() + "/utrace-json.txt";
  RunResult r = utrace(
      {"-f", "json", "-o", path, "-e",
       R"(BEGIN { printf("a\tb\"c\n"); print(18446744073709551615); @c = count(); @s["k\n1", 2] = sum(-5); @a = avg(10); @st = stats(4); @h = hist(3); @h = hist(-1); @l = lhist(15, 0, 100, 10); @t = (1, "two", (3, "x")); exit(); })"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // A real JSON parser reads every line and gives back what we expect.
  RunResult parsed = run({"python3", "-c",
                          "import json, sys\n"
                          "for line in open(sys.argv[1], encoding='utf-8'):\n"
                          "    print(json.dumps(json.loads(line), sort_keys=True))\n",
                          path});
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
  EXPECT_EQ(
      parsed.out,
      R"({"data": {"probes": 1}, "type": "attached_probes"})"
      "\n"
      R"({"data": "a\tb\"c\n", "type": "printf"})"
      "\n"
      R"({"data": "18446744073709551615", "type": "value"})"
      "\n"
      R"({"data": {"@a": 10}, "type": "stats"})"
      "\n"
      R"({"data": {"@c": 1}, "type": "map"})"
      "\n"
      R"({"data": {"@h": [{"count": 1, "max": -1}, {"count": 0, "max": 0, "min": 0}, {"count": 0, "max": 1, "min": 1}, {"count": 1, "max": 3, "min": 2}]}, "type": "hist"})"
      "\n"
      R"({"data": {"@l": [{"count": 1, "max": 19, "min": 10}]}, "type": "hist"})"
      "\n"
      R"({"data": {"@s": {"k\n1,2": -5}}, "type": "map"})"
      "\n"
      R"({"data": {"@st": {"average": 4, "count": 1, "total": 4}}, "type": "stats"})"
      "\n"
      R"({"data": {"@t": [1, "two", [3, "x"]]}, "type": "map"})"
      "\n");
}

TEST_F(Output, BadLimitsAreRefused) {
  RunOptions o;
  o.env = {"UTRACE_RING_PAGES=3"};
  RunResult r = run({kUtrace, "-e", "BEGIN { exit(); }"}, o);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ERROR: UTRACE_RING_PAGES must be a power of two\n");
}

// buf() reads user memory; %r keeps printable ASCII, %rx escapes every byte, %rh is hex pairs.
TEST_F(Runtime, BufPrintsWithEveryRConversion) {
  RunResult r = utrace(
      {"-q", "-c", kCBytes, "-e",
       "uprobe:" + kCBytes +
           R"(:take { printf("[%r] [%rx] [%rh] [%-6r]\n", buf(arg0, arg1), buf(arg0, 4), buf(arg0, 2), buf(arg0, 2)); print(buf(arg0, 3)); })"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "[hi\\x0a\\x00\\x03A\\x7f\\xff] [\\x68\\x69\\x0a\\x00] [68 69] [hi    ]\n"
            "hi\\x0a\n\n\n")
      << r.err;
}

}  // namespace
}  // namespace ut
