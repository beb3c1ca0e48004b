// Runtime tests of how uprobes find their places: wildcards, C++ names, overlapping probes,
// missing probes, instructions the kernel refuses, `uprobe:*:fn` with -p.
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

const std::string kFuncs = TRACEE_DIR "/funcs";
const std::string kShapes = TRACEE_DIR "/shapes";

// Both ways of attaching (see BothAttachPaths).
class Uprobes : public BothAttachPaths {};

INSTANTIATE_TEST_SUITE_P(Links, Uprobes, ::testing::Values(true, false), attach_path_name);

TEST_P(Uprobes, WildcardReachesEveryMatchingFunctionAndFuncNamesIt) {
  RunResult r = trace(
      {"-c", kFuncs + " 100 0", "-e", "uprobe:" + kFuncs + ":alpha_* { @[func] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Attaching 2 probes...\n\n\n"
            "@[alpha_one]: 100\n"
            "@[alpha_two]: 200\n");
}

TEST_P(Uprobes, WildcardReturnProbesNameTheFunctionAndTheProbe) {
  RunResult r = trace({"-q", "-c", kFuncs + " 10 0", "-e",
                       "uretprobe:" + kFuncs + ":alpha_* { @[probe] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n\n@[uretprobe:" + kFuncs + ":alpha_one]: 10\n@[uretprobe:" + kFuncs +
                       ":alpha_two]: 20\n");
}

TEST_P(Uprobes, OverlappingProbesEachRunOncePerCall) {
  RunResult r = trace({"-q", "-c", kFuncs + " 50 0", "-e",
                       "uprobe:" + kFuncs + ":alpha_* { @wild = count(); } uprobe:" + kFuncs +
                           ":alpha_one { @exact = count(); } uprobe:" + kFuncs +
                           ":alpha_one { @again = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(map_value(r.out, "@wild"), 150);
  EXPECT_EQ(map_value(r.out, "@exact"), 50);
  EXPECT_EQ(map_value(r.out, "@again"), 50);
}

TEST_P(Uprobes, AnInstructionTheKernelRefusesIsLeftOutOfAWildcardWithAWarning) {
  RunResult r = trace(
      {"-q", "-c", kFuncs + " 10 0", "-e", "uprobe:" + kFuncs + ":*a* { @[func] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("functions left out (locked_add): the kernel cannot place a uprobe"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(map_value(r.out, "@[alpha_one]"), 10);
  EXPECT_EQ(map_value(r.out, "@[beta]"), 10);
  EXPECT_EQ(r.out.find("locked_add"), std::string::npos);
}

TEST_P(Uprobes, AnInstructionTheKernelRefusesIsAnErrorWhenNamed) {
  RunResult r = trace(
      {"-q", "-c", kFuncs + " 10 0", "-e", "uprobe:" + kFuncs + ":locked_add { @ = count(); }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ERROR: uprobe:" + kFuncs +
                       ":locked_add: the kernel cannot place a uprobe on the instruction there "
                       "(uprobes cannot step over some instructions, such as `lock`-prefixed "
                       "ones)\n");
  expect_nothing_left_attached();
}

TEST_P(Uprobes, CppFunctionsMatchByDemangledName) {
  RunResult r = trace({"-q", "-c", kShapes + " 7 0", "-e",
                       "uprobe:" + kShapes +
                           ":\"geo::Widget::poke\" { @[func] = count(); } "
                           "uprobe:" +
                           kShapes + ":\"geo::a*\" { @[func] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(map_value(r.out, "@[geo::area(long, long)]"), 7) << r.out;
  EXPECT_EQ(map_value(r.out, "@[geo::Widget::poke(double)]"), 7) << r.out;
  EXPECT_EQ(map_value(r.out, "@[geo::Widget::poke(int)]"), 7) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 5) << r.out;
}

TEST_F(Runtime, CppFunctionsMatchByFullDemangledName) {
  RunResult r = utrace({"-q", "-c", kShapes + " 3 0", "-e",
                        "uprobe:" + kShapes + ":\"geo::Widget::poke(int)\" { @ = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(map_value(r.out, "@"), 3);
}

TEST_F(Runtime, CppNamesAreDemangledInStacks) {
  RunResult r = utrace({"-q", "-c", kShapes + " 1 0", "-e",
                        "uprobe:" + kShapes + ":\"geo::area\" { printf(\"%s\\n\", ustack(1)); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("\n        geo::area(long, long)+0\n", 0), 0u) << r.out;
}

TEST_F(Runtime, AWildcardThatMatchesNothingIsAnError) {
  RunResult r = utrace(
      {"-c", kFuncs + " 1 0", "-e", "uprobe:" + kFuncs + ":nothing_* { @ = count(); } BEGIN { }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "stdin:1:1-" + std::to_string(18 + kFuncs.size()) + ": ERROR: no function in " +
                       kFuncs + " matches 'nothing_*'\n" + "uprobe:" + kFuncs +
                       ":nothing_* { @ = count(); } BEGIN { }\n" +
                       std::string(17 + kFuncs.size(), '~') + "\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(Runtime, MissingProbesWarnLeavesTheProbeOutAndRunsTheRest) {
  RunResult r = utrace({"-q", "--missing-probes=warn", "-c", kFuncs + " 5 0", "-e",
                        "uprobe:" + kFuncs + ":nothing_*, uprobe:" + kFuncs +
                            ":nosuchfunction { @missing[pid] = count(); } uprobe:" + kFuncs +
                            ":beta { @beta = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("WARNING: no function in " + kFuncs +
                       " matches 'nothing_*'; the probe is left out\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("WARNING: symbol 'nosuchfunction' not found in " + kFuncs +
                       "; the probe is left out\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(map_value(r.out, "@beta"), 5);
  EXPECT_EQ(r.out.find("@missing["), std::string::npos) << r.out;
}

TEST_F(Runtime, MissingProbesTakesWarnOrError) {
  RunResult r = utrace({"--missing-probes=maybe", "-e", "BEGIN { }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ERROR: --missing-probes takes 'warn' or 'error', not 'maybe'\n");
}

TEST_F(Runtime, EveryBinaryOfAProcessWithPid) {
  testing::Background target({kFuncs, "0", "0", "forever"});
  testing::Background other({kFuncs, "0", "0", "forever"});
  RunResult r = utrace({"-q", "-p", std::to_string(target.pid()), "-e",
                        "uprobe:*:alpha_one { @[pid] = count(); if (@[pid] == 3) { exit(); } } "
                        "uprobe:*:getpid { @libc[pid] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n\n@[" + std::to_string(target.pid()) + "]: 3\n");
  EXPECT_TRUE(target.alive());
  EXPECT_TRUE(other.alive());
}

TEST_F(Runtime, EveryBinaryNeedsAPid) {
  RunResult r = utrace({"-e", "uprobe:*:alpha_one { }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ERROR: a uprobe on every binary ('*') needs -p PID"), std::string::npos)
      << r.err;
}

TEST_F(Runtime, BinaryPathsTakeWildcards) {
  RunResult r = utrace({"-q", "-c", kFuncs + " 4 0", "-e",
                        "uprobe:" TRACEE_DIR "/fun*:beta { @[probe] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n\n@[uprobe:" + kFuncs + ":beta]: 4\n");
}

// `text` with every `path` in it written as `name`, for exact expectations of listings.
std::string named(std::string text, const std::string &path, const std::string &name) {
  for (size_t at = text.find(path); at != std::string::npos; at = text.find(path, at))
    text.replace(at, path.size(), name);
  return text;
}

// -lv: each function with its parameters from DWARF, as bpftrace -lv prints them; a function
// without DWARF (crt code), or a binary without any, lists just its name.
TEST_F(Runtime, VerboseListingShowsParametersFromDwarf) {
  RunResult r = utrace({"-lv", "uprobe:" + kFuncs + ":*a*"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(named(r.out, kFuncs, "FUNCS"), R"(uprobe:FUNCS:__do_global_dtors_aux
uprobe:FUNCS:_start
uprobe:FUNCS:alpha_one
    long int i
uprobe:FUNCS:alpha_two
    long int i
uprobe:FUNCS:beta
    long int i
uprobe:FUNCS:frame_dummy
uprobe:FUNCS:locked_add
    long int* counter
uprobe:FUNCS:main
    int argc
    char** argv
uprobe:FUNCS:round_of_calls
    long int i
)");

  // C++: member functions take `this` first.
  r = utrace({"-lv", "uprobe:" + kShapes + ":_ZN3geo*"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(named(r.out, kShapes, "SHAPES"), R"(uprobe:SHAPES:_ZN3geo4areaEll
    long int w
    long int h
uprobe:SHAPES:_ZN3geo6Widget4pokeEd
    struct geo::Widget* const this
    double x
uprobe:SHAPES:_ZN3geo6Widget4pokeEi
    struct geo::Widget* const this
    int x
)");

  // Go: results are not parameters.
  r = utrace({"-lv", "uprobe:/tmp/counter:fmt.Fprintf"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "uprobe:/tmp/counter:fmt.Fprintf\n    io.Writer w\n    string format\n"
            "    []interface {} a\n");

  // A Go return probe lists the results, which rets.N reads.
  r = utrace({"-lv", "uretprobe:/tmp/counter:fmt.Fprintf"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "uretprobe:/tmp/counter:fmt.Fprintf\n    int n\n    error err\n");

  // libc's parameters come from its separate debug file (libc6-dbg).
  r = utrace({"-lv", "uprobe:libc:read"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("libc.so.6:read\n    int fd\n    void* buf\n    size_t nbytes\n"),
            std::string::npos)
      << r.out;

  std::string stripped = ::testing::TempDir() + "/utrace-funcs-nodebug";
  ASSERT_EQ(std::system(("strip --strip-debug -o '" + stripped + "' '" + kFuncs + "'").c_str()), 0);
  r = utrace({"-lv", "uprobe:" + stripped + ":alpha*"});
  std::filesystem::remove(stripped);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "uprobe:" + stripped + ":alpha_one\nuprobe:" + stripped + ":alpha_two\n");
}

}  // namespace
}  // namespace ut

namespace ut {
namespace {

const std::string kPieFuncs = TRACEE_DIR "/funcs";  // built as a position-independent executable

// A PIE program traced without -p: uaddr() is found from the probe's instruction pointer.
TEST_F(Runtime, UaddrInAPositionIndependentProgramFromTheProbe) {
  RunResult r =
      utrace({"-q", "-c", kPieFuncs + " 5 0", "-e",
              "uprobe:" + kPieFuncs + ":beta { printf(\"%d %d\\n\", *uaddr(\"total\"), arg0); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // total at beta's entry in round i: what round i-1 left, +i, -2i (see funcs.c).
  EXPECT_EQ(r.out, "0 0\n-1 1\n-4 2\n-5 3\n-12 4\n\n\n");
}

TEST_F(Runtime, UaddrInAPositionIndependentProgramWithPid) {
  testing::Background target({kPieFuncs, "3", "0", "forever"});
  RunResult r = utrace(
      {"-q", "-p", std::to_string(target.pid()), "-e",
       "uprobe:" + kPieFuncs + ":alpha_one { printf(\"%d\\n\", *uaddr(\"total\")); exit(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "-2\n\n\n");  // three rounds leave -2; the rounds after add 0
}

TEST_F(Runtime, UaddrInASharedLibrary) {
  testing::Background target({kPieFuncs, "0", "0", "forever"});
  std::string pid = std::to_string(target.pid());
  const std::string program = "{ printf(\"%d\\n\", *uaddr(\"__environ\") != 0); exit(); }";
  RunResult with_pid = utrace({"-q", "-p", pid, "-e", "uprobe:libc:usleep " + program});
  EXPECT_EQ(with_pid.exit_code, 0) << with_pid.err;
  EXPECT_EQ(with_pid.out, "1\n\n\n");
  RunResult from_probe = utrace({"-q", "-e", "uprobe:libc:usleep /pid == " + pid + "/ " + program});
  EXPECT_EQ(from_probe.exit_code, 0) << from_probe.err;
  EXPECT_EQ(from_probe.out, "1\n\n\n");
}

TEST_F(Runtime, UaddrInAPositionIndependentProgramNeedsAPlaceToStartFrom) {
  RunResult r = utrace({"-e", "uretprobe:" + kPieFuncs + ":alpha_one { @ = *uaddr(\"total\"); }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ERROR: uaddr(\"total\"): " + kPieFuncs +
                       " is position-independent, so where 'total' lies differs from process to "
                       "process\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("HINT: name the process with -p PID, or read it in an entry uprobe on one "
                       "function of " +
                       kPieFuncs),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace ut

namespace ut {
namespace {

// As bpftrace prints it: a library named by its name shows as the file it resolved to.
TEST_F(Runtime, ProbeNamesALibraryByItsPath) {
  RunResult r = utrace({"-q", "-c", TRACEE_DIR "/funcs 1 0", "-e",
                        "uprobe:libc:usleep { printf(\"%s %s\\n\", probe, func); exit(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("uprobe:/.*/libc\\.so\\.6:usleep usleep\n\n\n")))
      << r.out;
}

}  // namespace
}  // namespace ut

namespace ut {
namespace {

TEST_F(Runtime, ListingTheFunctionsOfEveryFileOfAProcess) {
  const std::string funcs = TRACEE_DIR "/funcs";
  testing::Background target({funcs, "0", "0", "forever"});
  RunResult r = utrace({"-p", std::to_string(target.pid()), "-l", "uprobe:*:alpha_*"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string real = std::filesystem::canonical(funcs).string();
  EXPECT_EQ(r.out, "uprobe:" + real + ":alpha_one\nuprobe:" + real + ":alpha_two\n");
}

}  // namespace
}  // namespace ut

namespace ut {
namespace {

// args.NAME in C: seven(i, 1, ..., 7) at -O1 takes six registers and the stack for g and h;
// calls' f(i) at -O0, whose DWARF names a stack slot not yet filled at the entry, by System V.
TEST_F(Runtime, CArgumentsByNameInRegistersAndOnTheStack) {
  RunResult r = utrace({"-q", "-c", kFuncs + " 2 0", "-e",
                        "uprobe:" + kFuncs +
                            ":seven { printf(\"%d %d %d %d\\n\", args.a, args.b, args.g, args.h); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0 1 6 7\n1 1 6 7\n\n\n");
  // sarg0 and sarg1 are the same words, as bpftrace's stack arguments; numaid the only node.
  RunResult sargs = utrace({"-q", "-c", kFuncs + " 1 0", "-e",
                            "uprobe:" + kFuncs + ":seven { printf(\"%d %d %d\\n\", sarg0, sarg1, "
                            "numaid); }"});
  EXPECT_EQ(sargs.exit_code, 0) << sargs.err;
  EXPECT_EQ(sargs.out, "6 7 0\n\n\n");
  RunResult calls = utrace({"-q", "-c", TRACEE_DIR "/calls 3 0", "-e",
                            "uprobe:" TRACEE_DIR "/calls:f { @[args.i] = count(); }"});
  EXPECT_EQ(calls.exit_code, 0) << calls.err;
  EXPECT_EQ(calls.out, "\n\n@[0]: 1\n@[1]: 1\n@[2]: 1\n");
}

// duration in C: a kernel uretprobe's return, paired with the entry by thread and stack pointer.
TEST_F(Runtime, CDurationPairsEveryReturnWithItsEntry) {
  RunResult r = utrace({"-q", "-c", TRACEE_DIR "/calls 5 0", "-e",
                        "uretprobe:" TRACEE_DIR "/calls:f { @[duration > 0] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n\n@[1]: 5\n");
}

}  // namespace
}  // namespace ut
