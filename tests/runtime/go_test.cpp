// Runtime tests on Go programs: probes that fire once per call and return probes that never
// harm the program, checked against the counts the program keeps of itself.
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

const std::string kGoFuncs = TRACEE_DIR "/gofuncs";

// The program's own count of `name`'s calls, from its "add N grow N nap N" line.
long long own_count(const std::string &out, const std::string &name) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("(^|[ \n])" + name + " ([0-9]+)"))) return -1;
  return std::stoll(m[2]);
}

// The lines of `out` that match `pattern` whole, each with its newline.
std::string lines_matching(const std::string &out, const std::string &pattern) {
  std::string kept;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (std::regex_match(line, std::regex(pattern))) kept += line + "\n";
  return kept;
}

// grow() recurses on fresh goroutines, so its prologue calls morestack and starts over: a probe
// at the symbol would fire twice then (bpftrace 0.17: 4800 hits for 4200 calls).
TEST_F(Runtime, GoEntryProbesFireOncePerCall) {
  RunResult r =
      utrace({"-q", "-c", kGoFuncs + " 50 0", "-e",
              "uprobe:" + kGoFuncs + ":main.grow { @grow = count(); } uprobe:" + kGoFuncs +
                  ":main.add { @add = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(own_count(r.out, "grow"), 50 * 4 * 21) << r.out;
  EXPECT_EQ(map_value(r.out, "@grow"), own_count(r.out, "grow")) << r.out;
  EXPECT_EQ(map_value(r.out, "@add"), 50) << r.out;
}

// Return probes on Go functions go on their RET instructions: the program lives through stack
// growth (kernel uretprobes: "unknown caller pc") and goroutines that sleep and wake on another
// thread (kernel uretprobes: SIGILL), for about 30 s, and the counts are exact.
TEST_F(Runtime, GoReturnProbesLeaveTheProgramAliveAndCountEveryReturn) {
  RunResult r =
      utrace({"-q", "-c", kGoFuncs + " 10000 0", "-e",
              "uretprobe:" + kGoFuncs + ":main.grow { @grow = count(); } uretprobe:" + kGoFuncs +
                  ":main.nap { @nap = count(); }"},
             [] {
               RunOptions o;
               o.deadline = 100s;
               return o;
             }());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(own_count(r.out, "nap"), 10000 * 4) << r.out;  // it ran to its end
  EXPECT_EQ(map_value(r.out, "@grow"), own_count(r.out, "grow")) << r.out;
  EXPECT_EQ(map_value(r.out, "@nap"), own_count(r.out, "nap")) << r.out;
}

TEST_F(Runtime, GoRetvalIsTheFirstResult) {
  RunResult r = utrace({"-q", "-c", kGoFuncs + " 30 0", "-e",
                        "uretprobe:" + kGoFuncs + ":main.add { @sum = sum(retval); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(own_count(r.out, "sum"), 30 * 29 / 2 + 30 * 40) << r.out;
  EXPECT_EQ(map_value(r.out, "@sum"), own_count(r.out, "sum")) << r.out;
}

TEST_F(Runtime, AGoFunctionThatNeverReturnsTakesNoReturnProbe) {
  RunResult r = utrace({"-e", "uretprobe:" + kGoFuncs + ":main.spin { }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')),
            "stdin:1:1-" + std::to_string(21 + kGoFuncs.size()) +
                ": ERROR: main.spin has no RET instruction (it never returns), so a return probe "
                "cannot go there");
}

TEST_F(Runtime, KernelUretprobesOnGoAreNeverSilent) {
  RunResult r = utrace({"-q", "--kernel-uretprobe", "-c", kGoFuncs + " 1 0", "-e",
                        "uretprobe:" + kGoFuncs + ":main.add { @ = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("WARNING: kernel uretprobes on the Go program " + kGoFuncs +
                       " (--kernel-uretprobe) can crash it"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(map_value(r.out, "@"), 1);
}

}  // namespace
}  // namespace ut

namespace ut {
namespace {

// add(a, b int) is called as add(i, 40): Go's register ABI passes a in RAX and b in RBX
// (bpftrace 0.17's arg0 reads RDI, a stale pointer).
TEST_F(Runtime, GoArgumentsFollowTheRegisterAbi) {
  RunResult r = utrace({"-q", "-c", kGoFuncs + " 3 0", "-e",
                        "uprobe:" + kGoFuncs + ":main.add { printf(\"%d %d\\n\", arg0, arg1); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find("add ")), "0 40\n1 40\n2 40\n") << r.out;
}

// System V passes the seventh and eighth integer arguments on the stack.
TEST_F(Runtime, CArgumentsPastTheSixthComeFromTheStack) {
  const std::string funcs = TRACEE_DIR "/funcs";
  RunResult r = utrace(
      {"-q", "-c", funcs + " 2 0", "-e",
       "uprobe:" + funcs + ":seven { printf(\"%d %d %d %d\\n\", arg0, arg5, arg6, arg7); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0 5 6 7\n1 5 6 7\n\n\n");
}

}  // namespace
}  // namespace ut

namespace ut {
namespace {

// report(id) is called with the calling goroutine's id as the Go runtime prints it.
TEST_F(Runtime, GoidIsTheIdTheProgramKnowsItsGoroutineBy) {
  RunResult r = utrace({"-q", "-c", kGoFuncs + " 25 0", "-e",
                        "uprobe:" + kGoFuncs +
                            ":main.report { @calls = count(); if (goid != arg0) { "
                            "@wrong[goid, arg0] = count(); } }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(own_count(r.out, "report"), 100) << r.out;
  EXPECT_EQ(map_value(r.out, "@calls"), 100) << r.out;
  EXPECT_EQ(r.out.find("@wrong"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ut

namespace ut {
namespace {

// --unsafe: a Go global set from a probe, as the program then sees it (it counts on from there).
TEST_F(Runtime, UnsafeWritesIntoTheTracedProgramsMemory) {
  testing::Background counter({kTmpCounter});
  RunResult r = utrace(
      {"-q", "--unsafe", "-e",
       "uprobe:/tmp/counter:main.doWork { if (@set == 0) { *uaddr(\"main.counter\") = 1000000; "
       "@set = 1; } else { @now = *uaddr(\"main.counter\"); } } interval:ms:700 { exit(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("WARNING: this program writes into the memory of the processes it traces "
                       "(--unsafe)"),
            std::string::npos)
      << r.err;
  EXPECT_GT(map_value(r.out, "@now"), 1000000) << r.out;
  EXPECT_LT(map_value(r.out, "@now"), 1100000) << r.out;
  EXPECT_TRUE(counter.alive());
}

TEST_F(Runtime, WritingMemoryNeedsUnsafe) {
  RunResult r = utrace({"-e", "uprobe:/tmp/counter:main.doWork { *uaddr(\"main.counter\") = 0; }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "stdin:1:35-57: ERROR: writing to the traced program's memory is unsafe: it changes "
            "what the program does\n"
            "uprobe:/tmp/counter:main.doWork { *uaddr(\"main.counter\") = 0; }\n"
            "                                  ~~~~~~~~~~~~~~~~~~~~~~\n"
            "HINT: run utrace with --unsafe to allow it\n");
}

}  // namespace
}  // namespace ut

namespace ut {
namespace {

// samples/go/latency_by_goroutine.bt on nap(1ms), from four goroutines at a time: every call is
// paired with its own return, each counted once, none under half a millisecond.
TEST_F(Runtime, LatencyByGoroutineSamplePairsEveryCall) {
  RunResult r = utrace({"-c", kGoFuncs + " 50 0",
                        kSourceDir + "/samples/go/latency_by_goroutine.bt", kGoFuncs, "main.nap"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(own_count(r.out, "nap"), 200) << r.out;
  ASSERT_NE(r.out.find("@us:"), std::string::npos) << r.out;
  std::string rest = r.out.substr(r.out.find("@us:"));
  std::smatch m;
  long long total = 0;
  for (std::regex row(R"(\n\[([0-9KM]+)(, [0-9KM]+\))?\]?\s+([0-9]+) \|)");
       std::regex_search(rest, m, row); rest = m.suffix()) {
    total += std::stoll(m[3]);
    EXPECT_TRUE(m[1] == "512" || m[1].str().find_first_of("KM") != std::string::npos) << r.out;
  }
  EXPECT_EQ(total, 200) << r.out;
  EXPECT_EQ(r.out.find("@start"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ut

namespace ut {
namespace {

// main.total[...] is written as Go writes a generic function; it reaches every instantiation.
TEST_F(Runtime, GoGenericFunctionsByTheirWrittenName) {
  RunResult r = utrace({"-q", "-c", kGoFuncs + " 5 0", "-e",
                        "uprobe:" + kGoFuncs + ":main.total[...] { @[func] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(own_count(r.out, "total"), 10) << r.out;
  EXPECT_EQ(map_value(r.out, "@[main.total[go.shape.int_0]]"), 5) << r.out;
  EXPECT_EQ(map_value(r.out, "@[main.total[go.shape.float64_0]]"), 5) << r.out;
}

}  // namespace
}  // namespace ut

namespace ut {
namespace {

// Stripped (no symbol table): functions are found in .gopclntab, and goid's offset comes from
// the Go version.
TEST_F(Runtime, AStrippedGoProgramIsTracedByItsFunctionTable) {
  std::string stripped = ::testing::TempDir() + "/utrace-gofuncs-stripped";
  ASSERT_EQ(std::system(("strip -o '" + stripped + "' " + kGoFuncs).c_str()), 0);
  RunResult r =
      utrace({"-q", "-c", stripped + " 20 0", "-e",
              "uprobe:" + stripped + ":main.grow { @grow = count(); } uretprobe:" + stripped +
                  ":main.add { @sum = sum(retval); } uprobe:" + stripped +
                  ":main.report { @report = count(); if (goid != arg0) { "
                  "@wrong[goid] = count(); } }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(own_count(r.out, "grow"), 20 * 84) << r.out;
  EXPECT_EQ(map_value(r.out, "@grow"), own_count(r.out, "grow")) << r.out;
  EXPECT_EQ(map_value(r.out, "@sum"), own_count(r.out, "sum")) << r.out;
  EXPECT_EQ(map_value(r.out, "@report"), own_count(r.out, "report")) << r.out;
  EXPECT_EQ(r.out.find("@wrong"), std::string::npos) << r.out;
  std::remove(stripped.c_str());
}

// args.NAME at the entry of Go functions: a string, an int, a bool, a slice's length,
// capacity and elements, and the fields of the struct a method's receiver points to; rets.N at the return,
// by the register ABI's assignment of three results. Each line is what the program passed.
TEST_F(Runtime, GoArgumentsAndResultsByName) {
  RunResult r = utrace(
      {"-q", "-c", kGoFuncs + " 4 0", "-e",
       "uprobe:" + kGoFuncs + ":main.(*server).handle { printf(\"handle %s %d %d %s\\n\", "
       "args.path, args.n, args.s.hits, args.s.name); } "
       "uprobe:" + kGoFuncs + ":main.mix { printf(\"mix %d %d %d %d %d %d %d\\n\", args.a, "
       "args.even, args.xs.len, args.xs.cap, args.xs[0], args.xs[args.xs.len - 1], "
       "args.xs[4]); } "
       "uretprobe:" + kGoFuncs + ":main.mix { printf(\"rets %d %d %s\\n\", rets.0, rets.1, rets.2); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NE(r.out.find("\nhandle 4 mix 4 hits 4\n"), std::string::npos) << r.out;  // it ran
  std::string expected;
  const char *const kLabels[] = {"zero", "one", "two"};
  for (int i = 0; i < 4; ++i) {
    expected += "handle /api/" + std::to_string(i) + " " + std::to_string(i) + " " +
                std::to_string(i) + " gofuncs\n";
    int n = i % 4;  // xs = {i*100, i*100+1, ...}: past its end (and in an empty one) 0
    expected += "mix " + std::to_string(i) + " " + std::to_string(i % 2 == 0) + " " +
                std::to_string(n) + " " + std::to_string(n) + " " +
                std::to_string(n > 0 ? i * 100 : 0) + " " +
                std::to_string(n > 0 ? i * 100 + n - 1 : 0) + " 0\n";
    expected += "rets " + std::to_string(i * 10 + i % 4) + " " + std::to_string(-i) + " " +
                kLabels[i % 3] + "\n";
  }
  // utrace's lines, without the program's (which may come between them: one pipe carries both).
  EXPECT_EQ(lines_matching(r.out, "(handle /|mix |rets ).*"), expected) << r.out;
}

TEST_F(Runtime, AGoFloatParameterIsRefusedBeforeAttaching) {
  RunResult r = utrace({"-e", "uprobe:" + kGoFuncs + ":main.mix { @ = args.f; }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ERROR: args.f (float64) cannot be read: it is passed in register X0, "
                       "and probes cannot read floating-point registers"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
}

// duration pairs each return with its own call's entry, by goroutine and depth in its stack:
// through grow()'s recursion while its stack is copied to a larger one, and through nap()'s
// sleeps, after which the goroutine often runs on another thread. Every return finds its entry.
TEST_F(Runtime, GoDurationPairsEveryReturnWithItsEntry) {
  RunResult r = utrace({"-q", "-c", kGoFuncs + " 30 0", "-e",
                        "uretprobe:" + kGoFuncs + ":main.grow { @grow[duration > 0] = count(); } "
                        "uretprobe:" + kGoFuncs + ":main.nap { @nap[duration > 0] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(own_count(r.out, "nap"), 30 * 4) << r.out;
  EXPECT_EQ(map_value(r.out, "@grow[1]"), own_count(r.out, "grow")) << r.out;
  EXPECT_EQ(map_value(r.out, "@nap[1]"), own_count(r.out, "nap")) << r.out;
  EXPECT_EQ(r.out.find("[0]:"), std::string::npos) << r.out;  // no return without its entry
}

// samples/go/compute_e.bt on samples/go/httpserver, which asks itself for e with n = 10, 20, 30:
// each handler's computeE call with its argument, timed.
TEST_F(Runtime, ComputeESamplePrintsEachRequestsIterations) {
  const std::string server = TRACEE_DIR "/httpserver";
  RunResult r = utrace({"-q", "-c", server + " 127.0.0.1:0 3",
                        kSourceDir + "/samples/go/compute_e.bt", server});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NE(r.out.find("n=30 e = 2.718281828459046\n"), std::string::npos) << r.out;  // it ran
  for (const char *n : {"10", "20", "30"}) {  // the program's lines may come between
    EXPECT_TRUE(std::regex_search(
        r.out, std::regex(std::string("computeE\\(") + n + "\\) took [0-9]+ us on goroutine [0-9]+\n")))
        << r.out;
  }
  RunResult result = utrace({"-e", "uretprobe:" + server + ":main.computeE { @ = rets.0; }"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("rets.0 (float64) cannot be read: it is passed in register X0"),
            std::string::npos)
      << result.err;
}

// samples/go/ebpf_demo.bt: the integer and bool arguments and the three results of each call,
// as the program prints them itself.
TEST_F(Runtime, EbpfDemoSamplePrintsArgumentsAndResults) {
  const std::string demo = TRACEE_DIR "/ebpfdemo";
  RunResult r = utrace({"-q", "-c", demo + " 3", kSourceDir + "/samples/go/ebpf_demo.bt", demo});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The program's lines and utrace's come through one pipe, in an order neither controls.
  for (const char *line : {"ebpfDemo(1, true, 0.5) = 100, 1, odd\n",
                           "ebpfDemo(a1=1, a2=1) = 100, 1, odd\n",
                           "ebpfDemo(2, false, 1) = 200, 2, even\n",
                           "ebpfDemo(a1=2, a2=0) = 200, 2, even\n",
                           "ebpfDemo(3, true, 1.5) = 300, 3, odd\n",
                           "ebpfDemo(a1=3, a2=1) = 300, 3, odd\n"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << " in:\n" << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 8) << r.out;
}

// A struct passed by value, each field in registers of its own (its float64 refused), and an
// error result, an interface whose first word is nil when there is no error.
TEST_F(Runtime, GoStructsByValueAndErrorResults) {
  RunResult r = utrace(
      {"-q", "-c", kGoFuncs + " 4 0", "-e",
       "uprobe:" + kGoFuncs + ":main.place { printf(\"place %d %s\\n\", args.p.x, args.p.label); } "
       "uretprobe:" + kGoFuncs + ":main.place { printf(\"ret %d %d\\n\", rets.0, rets.1.tab != 0); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines_matching(r.out, "(place|ret) .*"),
            "place 0 zero\nret 0 0\nplace 1 one\nret 0 1\nplace 2 two\nret 1 0\n"
            "place 3 zero\nret 0 1\n")
      << r.out;
  RunResult ratio = utrace({"-e", "uprobe:" + kGoFuncs + ":main.place { @ = args.p.ratio; }"});
  EXPECT_EQ(ratio.exit_code, 1);
  EXPECT_NE(ratio.err.find("args.p.ratio (float64) cannot be read: it is passed in register X0"),
            std::string::npos)
      << ratio.err;
}

}  // namespace
}  // namespace ut
