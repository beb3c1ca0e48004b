// Runtime tests: the real utrace binary, real BPF in the kernel, real tracee programs, checked by
// what utrace prints. They need root; under CI (CI=true) they must run, elsewhere they skip.
#include <pwd.h>

#include "runtime/binary/elf.h"
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

TEST_F(Runtime, DesignCardOneLinerPrintsAGrowingCounterAndItsRate) {
  Background counter({kTmpCounter});
  // Stopped after three rate lines, however long start-up takes on a loaded machine.
  RunOptions o = stop_after(20s);
  o.stop_when_seen = " ops/sec\n";
  o.stop_when_seen_times = 3;
  RunResult r = utrace({"-e", kRateOneLiner}, o);
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

TEST_F(Runtime, GapsSampleHistogramsTheCounter) {
  Background counter({kTmpCounter});
  RunOptions o;
  o.env = {"PATH=" + std::filesystem::path(kUtrace).parent_path().string() + ":" + getenv("PATH")};
  RunResult r = run({kSourceDir + "/samples/counter_gaps.bt"}, o);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(map_value(r.out, "@calls"), 100) << r.out;
  EXPECT_NE(r.out.find("\n@gap_us:\n"), std::string::npos) << r.out;
}

TEST_F(Runtime, CallersSampleWalksTheStacksOfTheCounter) {
  Background counter({kTmpCounter});
  RunOptions o;
  o.env = {"PATH=" + std::filesystem::path(kUtrace).parent_path().string() + ":" + getenv("PATH")};
  RunResult r = run({kSourceDir + "/samples/counter_callers.bt"}, o);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::regex report(
      R"(\d+ calls from:\n        main\.doWork\+0\n        main\.main\+\d+\n        runtime\.main\+\d+\n)");
  auto reports = std::distance(std::sregex_iterator(r.out.begin(), r.out.end(), report),
                               std::sregex_iterator());
  EXPECT_GE(reports, 2) << r.out;
  EXPECT_TRUE(counter.alive());
}

// cgroup: the command run with -c is in utrace's own cgroup; elapsed counts from utrace's start;
// rand differs from call to call.
TEST_F(Runtime, CgroupElapsedAndRand) {
  RunResult r =
      utrace({"-q", "-c", kCCalls + " 1 400", "-e",
              "BEGIN { @begin_cgroup = cgroup; } uprobe:" + kCCalls +
                  ":f { $r1 = rand; $r2 = rand; $r3 = rand; printf(\"%d %d %d %d\\n\", cgroup == "
                  "@begin_cgroup, cgroup > 0, elapsed >= 400000000 && elapsed < 30000000000, "
                  "$r1 != $r2 || $r2 != $r3); clear(@begin_cgroup); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1 1 1 1\n\n\n@begin_cgroup: 0\n") << r.err;
}

// -p: only the target's calls are seen, and its exit ends tracing (END runs, maps print).
TEST_F(Runtime, PidTargetsOneProcessAndItsExitEndsTracing) {
  Background target({kTmpCounter}), other({kTmpCounter});
  std::this_thread::sleep_for(200ms);
  std::thread killer([&] {
    std::this_thread::sleep_for(1500ms);
    kill(target.pid(), SIGKILL);
  });
  RunResult r = utrace(
      {"-q", "-p", std::to_string(target.pid()), "-e",
       R"(uprobe:/tmp/counter:"main.doWork" { @[pid] = count(); } END { printf("end\n"); })"},
      RunOptions{});
  killer.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(map_value(r.out, "@[" + std::to_string(target.pid()) + "]"), 100) << r.out;
  EXPECT_EQ(r.out.find("@[" + std::to_string(other.pid()) + "]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.rfind("end\n\n\n@[", 0), 0u) << r.out;
  EXPECT_TRUE(other.alive());
  expect_nothing_left_attached();
}

// profile fires on every CPU at the rate given; with -p only while the target runs.
TEST_F(Runtime, ProfileSamplesTheTargetProcessOnly) {
  Background busy({kCCalls, "100000000000", "0"});  // calls f() for far longer than the test
  std::string target = std::to_string(busy.pid());
  RunResult r = utrace({"-q", "-p", target, "-e",
                        "profile:hz:200 { @[pid == " + target +
                            ", comm] = count(); } "
                            "interval:ms:1000 { exit(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(map_value(r.out, "@[1, calls]"), 50) << r.out;
  EXPECT_EQ(r.out.find("@[0"), std::string::npos) << r.out;
}

// software events: the -c command's page faults (exec and its first touches cause some).
TEST_F(Runtime, SoftwareEventsCountPageFaults) {
  RunResult r = utrace({"-q", "-c", kCCalls + " 1 0", "-e",
                        "software:page-faults:1 /pid == cpid/ { @faults = count(); } "
                        "software:cpu-clock:1000000 { @ticks = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(map_value(r.out, "@faults"), 10) << r.out;
  EXPECT_NE(r.out.find("@ticks: "), std::string::npos) << r.out;
}

TEST_F(Runtime, StrncmpStrcontainsAndBswap) {
  RunResult r = run_quiet(
      R"(BEGIN { printf("%d %d %d %d %d %d\n", strncmp("hello", "help", 3), strncmp("hello", "help", 4), strcontains("hello world", "o w"), strcontains("hello", "xyz"), strcontains("abc", ""), strcontains(comm, "utr"));
                 printf("%x %x %x %x\n", bswap((uint16)0x1234), bswap((uint32)0x12345678), bswap(0x0102030405060708), bswap((uint8)7)); exit(); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0 1 1 0 1 1\n3412 78563412 807060504030201 7\n\n\n") << r.err;
}

// A library named as the dynamic linker knows it: libc, c, libc.so.6.
TEST_F(Runtime, UprobesOnLibrariesByName) {
  for (const char *lib : {"libc", "c", "libc.so.6"}) {
    RunResult r =
        utrace({"-q", "-c", kCCalls + " 1 0", "-e",
                std::string("uprobe:") + lib + ":usleep /pid == cpid/ { @calls = count(); } " +
                    "uretprobe:" + lib + ":usleep /pid == cpid/ { @returns = count(); }"});
    EXPECT_EQ(r.exit_code, 0) << lib << ": " << r.err;
    EXPECT_EQ(r.out, "\n\n@calls: 1\n@returns: 1\n") << lib << ": " << r.err;
  }
  RunResult r = utrace({"-e", "uprobe:libnosuch:f { }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("'libnosuch' is not a path, a program on $PATH or a library the dynamic "
                       "linker knows"),
            std::string::npos)
      << r.err;
}

// symbol+offset and addresses, only at an instruction's first byte (LLVM's disassembler says).
TEST_F(Runtime, UprobesAtAnOffsetOrAnAddress) {
  std::string binary = std::filesystem::canonical(kCCalls).string();
  auto elf = runtime::ElfFile::open(binary);
  ASSERT_TRUE(elf.ok());
  auto f = elf->find_symbol("f");
  ASSERT_TRUE(f.ok());
  // calls.c is built with -O0: f starts with push %rbp (1 byte), mov %rsp,%rbp (3 bytes).
  char address[32];
  snprintf(address, sizeof(address), "0x%llx", static_cast<unsigned long long>(f->address + 4));
  RunResult r = utrace({"-q", "-c", binary + " 7 0", "-e",
                        "uprobe:" + binary + ":f+1 { @one = count(); } uprobe:" + binary +
                            ":f+0x4 { @four = count(); } uprobe:" + binary + ":" + address +
                            " { @address = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n\n@address: 7\n@four: 7\n@one: 7\n") << r.err;

  r = utrace({"-e", "uprobe:" + binary + ":f+2 { }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ERROR: f+2 is not the first byte of an instruction (the instruction "
                       "there starts at f+1)"),
            std::string::npos)
      << r.err;
  r = utrace({"-e", "uprobe:" + binary + ":f+100000 { }"});
  EXPECT_NE(r.err.find("f+100000 is past the end of f"), std::string::npos) << r.err;
  expect_nothing_left_attached();
}

// -l: a binary's functions as attach points, software events, errors for unknown binaries.
TEST_F(Runtime, ListingShowsFunctionsAndEvents) {
  std::string binary = std::filesystem::canonical(kCCalls).string();
  RunResult r = utrace({"-l", "uprobe:" + binary + ":*a*"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("uprobe:" + binary + ":main\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(":f\n"), std::string::npos) << r.out;
  r = utrace({"-l", "uprobe:" + binary});
  EXPECT_NE(r.out.find("uprobe:" + binary + ":f\n"), std::string::npos) << r.out;
  r = utrace({"-l", "uprobe:/tmp/counter:main.*"});
  EXPECT_NE(r.out.find("uprobe:/tmp/counter:main.doWork\n"), std::string::npos) << r.out;
  r = utrace({"-l", "software:*faults*"});
  EXPECT_EQ(r.out,
            "software:alignment-faults:\nsoftware:emulation-faults:\nsoftware:major-faults:\n"
            "software:minor-faults:\nsoftware:page-faults:\n");
  r = utrace({"-l", "uprobe:nosuchlib:x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "ERROR: 'nosuchlib' is not a path, a program on $PATH or a library the dynamic linker "
            "knows\n");
}

// time() formats the wall clock in user space; username names the uid.
TEST_F(Runtime, TimeAndUsername) {
  RunResult r = run_quiet(
      R"(BEGIN { time("%Y|"); time(); printf("%s\n", username); @[username] = count(); exit(); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  time_t now = time(nullptr);
  tm local{};
  localtime_r(&now, &local);
  std::string me = getpwuid(geteuid())->pw_name;
  std::regex expected(std::to_string(1900 + local.tm_year) + R"(\|\d\d:\d\d:\d\d\n)" + me +
                      "\n\n\n@\\[" + me + "\\]: 1\n");
  EXPECT_TRUE(std::regex_match(r.out, expected)) << r.out << r.err;
}

// system() and signal() need --unsafe; with it the command runs and the signal is delivered.
TEST_F(Runtime, UnsafeFunctionsOnlyWithUnsafe) {
  RunResult r = utrace({"-q", "-e", "BEGIN { system(\"echo %d\", 1); }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("system() is an unsafe function being used in safe mode"), std::string::npos)
      << r.err;
  r = utrace({"-q", "--unsafe", "-e", "BEGIN { system(\"echo %d-%s\", 42, \"x\"); exit(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "42-x\n\n\n");
  // calls 100 0 is killed at f(10): 11 calls, and utrace ends with it.
  r = utrace(
      {"-q", "--unsafe", "-c", kCCalls + " 100 0", "-e",
       "uprobe:" + kCCalls + ":f { @calls = count(); if (arg0 == 10) { signal(\"SIGKILL\"); } }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n\n@calls: 11\n") << r.err;
}

TEST_F(Runtime, PidMustBeALiveProcess) {
  RunResult r = utrace({"-p", "999999999", "-e", "BEGIN { }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ERROR: -p 999999999: no such process\n");
  r = utrace({"-p", "1", "-c", "true", "-e", "BEGIN { }"});
  EXPECT_EQ(r.err, "ERROR: -p and -c cannot be used together\n");
}

// This project's kernel has no kprobes; elsewhere the message says utrace traces user space.
TEST_F(Runtime, KprobeIsOneClearError) {
  RunResult r = utrace({"-e", "kprobe:vfs_read { @ = count(); }"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  bool no_kprobes = !std::filesystem::exists("/sys/bus/event_source/devices/kprobe") &&
                    !std::filesystem::exists("/sys/kernel/tracing/kprobe_events");
  EXPECT_NE(r.err.find(no_kprobes ? "kprobe:vfs_read: this kernel has no kprobe support"
                                  : "kprobe:vfs_read: kernel probes are not supported"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 4) << "one error: " << r.err;
  EXPECT_EQ(r.out, "");
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

TEST_F(Runtime, CommandRunsWithProbesInPlaceAndEndsTheRun) {
  RunResult r = utrace({"-c", kCCalls + " 100 0", "-e",
                        "uprobe:" + kCCalls + ":f { @ = count(); @mine[cpid == pid] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Attaching 1 probe...\n\n\n@: 100\n@mine[1]: 100\n");
  expect_nothing_left_attached();
}

TEST_F(Runtime, CommandIsStoppedWhenUtraceStopsFirst) {
  RunResult r =
      utrace({"-q", "-c", kCCalls + " 1 600000", "-e", "BEGIN { printf(\"%d\\n\", cpid); }"},
             stop_after(800ms));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  pid_t child = static_cast<pid_t>(std::stol(r.out));
  std::this_thread::sleep_for(100ms);
  EXPECT_NE(kill(child, 0), 0) << "the command outlived utrace";
}

TEST_F(Runtime, MissingCommandIsAnErrorBeforeAnythingIsAttached) {
  RunResult r = utrace({"-c", "/nonexistent/cmd", "-e", "BEGIN { exit(); }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ERROR: cannot run the command: No such file or directory\n");
  RunResult empty = utrace({"-c", " ", "-e", "BEGIN { exit(); }"});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_EQ(empty.err, "ERROR: -c needs a command\n");
}

TEST_F(Runtime, BeginPrintfAndExit) {
  RunResult r = utrace(
      {"-e",
       R"(BEGIN { printf("%d %d %d %d %d\n", 1 + 2 * 3, (1 + 2) * 3, 1 << 2 + 1, 6 & 3 == 3, !0 + ~0); printf("%d %u %x\n", 5000000000, -1, 255); exit(); })"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Attaching 1 probe...\n7 9 8 0 0\n5000000000 18446744073709551615 ff\n\n\n");
}

TEST_F(Runtime, StringArgumentsKeepTheirPlaces) {
  RunResult r = utrace(
      {"-q", "-e",
       R"(BEGIN { printf("[%s|%s|%s] [%s] %d\n", "abc", "abd", "abe", comm, 7); exit(); })"});
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
