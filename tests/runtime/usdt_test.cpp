// Runtime tests of USDT probes against tracees/usdt (tracees/usdt.c says what it fires):
// arguments in registers, constants and memory, inlined copies, semaphores, the short form,
// wildcards, errors, -p and -l.
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

const std::string kUsdt = TRACEE_DIR "/usdt";

// Both ways of attaching (see BothAttachPaths), which count semaphores up differently:
// uprobe_multi's ref_ctr_offsets, and the uprobe PMU's ref_ctr_offset.
class Usdt : public BothAttachPaths {};

INSTANTIATE_TEST_SUITE_P(Links, Usdt, ::testing::Values(true, false), attach_path_name);

TEST_P(Usdt, ArgumentsInRegistersOfEverySizeAndSign) {
  RunResult r = trace(
      {"-c", kUsdt + " 3 0", "-e",
       "usdt:" + kUsdt + ":myprov:tick { printf(\"%s %d %d %d\\n\", probe, arg0, arg1, arg2); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string name = "usdt:" + kUsdt + ":myprov:tick";
  EXPECT_EQ(r.out, "Attaching 1 probe...\n" + name + " 0 0 97\n" + name + " 1 -1 98\n" + name +
                       " 2 -2 99\n\n\n");
  expect_nothing_left_attached();
}

TEST_P(Usdt, EachInlinedCopyReadsItsOwnOperands) {
  RunResult r = trace({"-c", kUsdt + " 3 0", "-e",
                       "usdt:" + kUsdt + ":myprov:twice { printf(\"%d %d\\n\", arg0, arg1); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Attaching 2 probes...\n0 5\n7 0\n2 5\n7 1\n4 5\n7 2\n\n\n");
}

TEST_P(Usdt, ArgumentsInMemoryAndConstants) {
  RunResult r = trace({"-q", "-c", kUsdt + " 3 0", "-e",
                       "usdt:" + kUsdt +
                           ":myprov:sizes { printf(\"%d %d %d %d %d\\n\", arg0, arg1, arg2, arg3, "
                           "arg4); } usdt:" +
                           kUsdt + ":myprov:element { printf(\"[%d %d]\\n\", arg0, arg1); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "0 0 0 200 4000000000\n[10 20]\n"
            "1000 -1 -2 200 4000000000\n[20 30]\n"
            "2000 -2 -4 200 4000000000\n[30 40]\n\n\n");
}

// myprov:guarded fires only while its semaphore is not 0: the kernel counts it up for as long
// as the probe is attached.
TEST_P(Usdt, TheSemaphoreIsSetWhileTheProbeIsAttached) {
  RunResult r = trace({"-q", "-c", kUsdt + " 4 0", "-e",
                       "usdt:" + kUsdt + ":myprov:guarded { @n = count(); @sum = sum(arg0); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n\n@n: 4\n@sum: 6\n");
}

TEST_F(Runtime, UsdtShortFormNamesTheProbeWithItsProvider) {
  RunResult r =
      utrace({"-q", "-c", kUsdt + " 5 0", "-e", "U:" + kUsdt + ":element { @[probe] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n\n@[usdt:" + kUsdt + ":myprov:element]: 5\n");
}

TEST_F(Runtime, UsdtWildcardsReachEveryMatchingProbe) {
  RunResult r = utrace({"-c", kUsdt + " 5 0", "-e",
                        "usdt:" + kUsdt + ":*:t* { @[probe] = count(); } usdt:" + kUsdt +
                            ":myprov:*e* { @e[probe] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string prefix = "usdt:" + kUsdt + ":";
  // myprov:tick, myprov:twice's two places, other:tick; myprov:element, guarded, sizes and
  // twice's two places again. Each place is attached, and the places of one probe are one probe.
  EXPECT_EQ(r.out, "Attaching 9 probes...\n\n\n@[" + prefix + "myprov:tick]: 5\n@[" + prefix +
                       "other:tick]: 5\n@[" + prefix + "myprov:twice]: 10\n@e[" + prefix +
                       "myprov:element]: 5\n@e[" + prefix + "myprov:guarded]: 5\n@e[" + prefix +
                       "myprov:sizes]: 5\n@e[" + prefix + "myprov:twice]: 10\n");
}

TEST_F(Runtime, UsdtAmbiguousShortNameIsAnErrorListingTheCandidates) {
  std::string program = "usdt:" + kUsdt + ":tick { @ = count(); }";
  RunResult r = utrace({"-c", kUsdt + " 1 0", "-e", program});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "stdin:1:1-" + std::to_string(11 + kUsdt.size()) +
                       ": ERROR: USDT probe name 'tick' is ambiguous in " + kUsdt +
                       ": it could be myprov:tick or other:tick\n" + program + "\n" +
                       std::string(10 + kUsdt.size(), '~') + "\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(Runtime, UsdtMissingProbeIsAnErrorOrWithMissingProbesWarnLeftOut) {
  std::string missing = "usdt:" + kUsdt + ":myprov:nothing";
  std::string marker = std::string(missing.size(), '~') + "\n";
  RunResult r = utrace({"-c", kUsdt + " 1 0", "-e", missing + " { @ = count(); }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "stdin:1:1-" + std::to_string(missing.size() + 1) +
                       ": ERROR: USDT probe 'myprov:nothing' not found in " + kUsdt + "\n" +
                       missing + " { @ = count(); }\n" + marker);

  std::string program = missing + " { @missing[arg3] = count(); } usdt:" + kUsdt +
                        ":myprov:tick { @ticks = count(); }";
  r = utrace({"-q", "--missing-probes=warn", "-c", kUsdt + " 4 0", "-e", program});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "stdin:1:1-" + std::to_string(missing.size() + 1) +
                       ": WARNING: USDT probe 'myprov:nothing' not found in " + kUsdt +
                       "; the probe is left out\n" + program + "\n" + marker);
  EXPECT_EQ(r.out, "\n\n@ticks: 4\n");
}

TEST_F(Runtime, UsdtArgumentBeyondTheProbesIsAnError) {
  std::string probe = "usdt:" + kUsdt + ":myprov:twice";
  RunResult r = utrace({"-c", kUsdt + " 1 0", "-e", probe + " { @ = arg0 + arg2; }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "stdin:1:1-" + std::to_string(probe.size() + 1) + ": ERROR: " + probe +
                       " has 2 arguments (arg0 to arg1): arg2 is not one of them\n" + probe +
                       " { @ = arg0 + arg2; }\n" + std::string(probe.size(), '~') + "\n");
  probe = "usdt:" + kUsdt + ":other:tick";
  r = utrace({"-c", kUsdt + " 1 0", "-e", probe + " { @ = arg0; }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(probe + " has no arguments: arg0 is not one of them\n"), std::string::npos)
      << r.err;
}

TEST_F(Runtime, UsdtWithPidCountsThatProcessOnly) {
  testing::Background target({kUsdt, "1000000", "0", "10"});
  testing::Background other({kUsdt, "1000000", "0", "10"});
  RunResult r = utrace({"-q", "-p", std::to_string(target.pid()), "-e",
                        "usdt:" + kUsdt +
                            ":myprov:guarded /@n < 5/ { @n++; @[pid] = count(); "
                            "if (@n == 5) { exit(); } }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n\n@[" + std::to_string(target.pid()) + "]: 5\n@n: 5\n");
  EXPECT_TRUE(target.alive());
  EXPECT_TRUE(other.alive());
}

TEST_F(Runtime, UsdtListing) {
  RunResult r = utrace({"-l", "usdt:" + kUsdt});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string prefix = "usdt:" + kUsdt + ":";
  EXPECT_EQ(r.out, prefix + "myprov:element\n" + prefix + "myprov:guarded\n" + prefix +
                       "myprov:sizes\n" + prefix + "myprov:tick\n" + prefix + "myprov:twice\n" +
                       prefix + "other:tick\n");
  r = utrace({"-l", "usdt:" + kUsdt + ":myprov:t*"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, prefix + "myprov:tick\n" + prefix + "myprov:twice\n");
  r = utrace({"-l", "U:" + kUsdt + ":tick"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, prefix + "myprov:tick\n" + prefix + "other:tick\n");
}

TEST_F(Runtime, UsdtStacksStartWhereTheProbeIs) {
  RunResult r = utrace({"-q", "-c", kUsdt + " 1 0", "-e",
                        "usdt:" + kUsdt + ":myprov:element { printf(\"%s\", ustack(1)); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("\n        element+", 0), 0u) << r.out;
}

}  // namespace
}  // namespace ut
