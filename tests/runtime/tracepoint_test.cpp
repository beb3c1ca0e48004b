// Tracepoint probes against the syscalls tracee, which makes a known set of system calls:
// `syscalls GETPIDS GETPPIDS PATH` calls getpid() and getppid() that many times, opens PATH,
// then names itself tp-tracee and sleeps once. Each test keeps to the tracee's own events with
// `cpid`, so that the rest of the system's activity does not change what it prints.
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

using Tracepoints = Runtime;

const std::string kMissingFile = "/tmp/utrace-tracepoint-test-missing";

// `const char *` fields are addresses: str() reads the user's string.
TEST_F(Tracepoints, OpenatFilenameThroughArgsArrow) {
  RunResult r = utrace({"-q", "-c", kCSyscalls + " 0 0 " + kMissingFile, "-e",
                        "tracepoint:syscalls:sys_enter_openat /pid == cpid && args->flags == 0/ "
                        "{ printf(\"%s dfd=%d nr=%d\\n\", str(args->filename), (int32)args->dfd, "
                        "args->__syscall_nr); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  // The dynamic linker's opens say O_CLOEXEC; only the tracee's own open has flags 0.
  EXPECT_EQ(r.out, kMissingFile + " dfd=-100 nr=257\n\n\n");
}

TEST_F(Tracepoints, ArgsDotSpellingAndShortName) {
  RunResult r = utrace({"-q", "-c", kCSyscalls + " 0 0 " + kMissingFile, "-e",
                        "t:syscalls:sys_enter_openat /pid == cpid && args.flags == 0/ "
                        "{ printf(\"%s %s\\n\", probe, str(args.filename)); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "tracepoint:syscalls:sys_enter_openat " + kMissingFile + "\n\n\n");
}

// A wildcard is one probe per tracepoint it matches, each named by the `probe` builtin.
TEST_F(Tracepoints, WildcardCountsEachMatchUnderItsOwnName) {
  RunResult r = utrace({"-c", kCSyscalls + " 3 2 " + kMissingFile, "-e",
                        "tracepoint:syscalls:sys_enter_get*pid /pid == cpid/ "
                        "{ @[probe] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Attaching 2 probes...\n"
            "\n\n"
            "@[tracepoint:syscalls:sys_enter_getppid]: 2\n"
            "@[tracepoint:syscalls:sys_enter_getpid]: 3\n");
}

// char prev_comm[16] is a string; prev_state 1 is a sleep (S), as the tracee's usleep().
TEST_F(Tracepoints, CharArrayFieldIsAString) {
  RunResult r = utrace({"-q", "-c", kCSyscalls + " 0 0 " + kMissingFile, "-e",
                        "tracepoint:sched:sched_switch "
                        "/args->prev_pid == cpid && args->prev_state == 1/ "
                        "{ @[args->prev_comm] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n\n@[tp-tracee]: 1\n");
}

// __data_loc char[] filename: the string is in the record, where its offset word says.
TEST_F(Tracepoints, DataLocFieldIsAString) {
  RunResult r = utrace({"-q", "-c", kCSyscalls + " 0 0 " + kMissingFile, "-e",
                        "tracepoint:sched:sched_process_exec /args->pid == cpid/ "
                        "{ printf(\"%s %s\\n\", args->filename, comm); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kCSyscalls + " syscalls\n\n\n");
}

TEST_F(Tracepoints, ListingWithAndWithoutFields) {
  RunResult r = utrace({"-l", "tracepoint:syscalls:sys_enter_get*pid"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "tracepoint:syscalls:sys_enter_getpid\n"
            "tracepoint:syscalls:sys_enter_getppid\n");
  r = utrace({"-l", "t:sched:sched_process_e*"});
  EXPECT_EQ(r.out, "tracepoint:sched:sched_process_exec\ntracepoint:sched:sched_process_exit\n");
  // As bpftrace -lv prints it.
  r = utrace({"-lv", "tracepoint:syscalls:sys_enter_openat"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "tracepoint:syscalls:sys_enter_openat\n"
            "    int __syscall_nr\n"
            "    int dfd\n"
            "    const char * filename\n"
            "    int flags\n"
            "    umode_t mode\n");
  // No pattern: the probe kinds, then every tracepoint.
  r = utrace({"-l"});
  EXPECT_EQ(r.out.rfind("BEGIN\n", 0), 0u) << r.out.substr(0, 200);
  EXPECT_NE(r.out.find("\ntracepoint:sched:sched_switch\n"), std::string::npos);
  EXPECT_NE(r.out.find("\ntracepoint:syscalls:sys_enter_openat\n"), std::string::npos);
}

TEST_F(Tracepoints, AMissingTracepointIsALocatedError) {
  RunResult r = utrace({"-e", "tracepoint:syscalls:sys_enter_opnat { }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "stdin:1:1-36: ERROR: tracepoint:syscalls:sys_enter_opnat matches no tracepoint\n"
            "tracepoint:syscalls:sys_enter_opnat { }\n"
            "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "HINT: did you mean 'tracepoint:syscalls:sys_enter_openat'?\n");
  r = utrace({"-e", "t:nosuchcategory:* { }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "stdin:1:1-19: ERROR: tracepoint:nosuchcategory:* matches no tracepoint\n"
            "t:nosuchcategory:* { }\n"
            "~~~~~~~~~~~~~~~~~~\n");
}

TEST_F(Tracepoints, AFieldTheTracepointLacksIsALocatedError) {
  RunResult r = utrace({"-e", "tracepoint:syscalls:sys_enter_openat { print(args->filenam); }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "stdin:1:46-59: ERROR: tracepoint:syscalls:sys_enter_openat has no field 'filenam'\n"
            "tracepoint:syscalls:sys_enter_openat { print(args->filenam); }\n"
            "                                             ~~~~~~~~~~~~~\n"
            "HINT: did you mean 'filename'?\n");
}

}  // namespace
}  // namespace ut
