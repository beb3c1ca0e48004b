// Runtime tests that utrace leaves nothing behind, on every way it can end: the breakpoint a
// uprobe writes into the traced program's code is looked at directly, in the process's memory.
#include <fcntl.h>

#include "runtime/binary/elf.h"
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

const std::string kFuncs = TRACEE_DIR "/funcs";
constexpr int kInt3 = 0xcc;

// The first byte of `function` of `binary` in the memory of process `pid`: 0xcc (int3) while a
// uprobe is installed there. -1 when it cannot be read.
int first_byte(pid_t pid, const std::string &binary, const std::string &function) {
  auto elf = runtime::ElfFile::open(binary);
  if (!elf) return -1;
  auto sym = elf->find_symbol(function);
  if (!sym) return -1;
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string real = std::filesystem::canonical(binary).string();
  for (std::string line; std::getline(maps, line);) {
    unsigned long long start = 0, end = 0, offset = 0;
    char perms[8] = {};
    if (sscanf(line.c_str(), "%llx-%llx %7s %llx", &start, &end, perms, &offset) != 4) continue;
    if (perms[2] != 'x' || line.find(real) == std::string::npos) continue;
    if (sym->file_offset < offset || sym->file_offset - offset >= end - start) continue;
    int fd = open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY);
    if (fd < 0) return -1;
    unsigned char byte = 0;
    ssize_t n = pread(fd, &byte, 1, static_cast<off_t>(start + sym->file_offset - offset));
    close(fd);
    return n == 1 ? byte : -1;
  }
  return -1;
}

// Waits up to 10 s for alpha_one's first byte in `pid` to be (or not be) a breakpoint.
bool breakpoint_becomes(pid_t pid, bool installed) {
  for (int i = 0; i < 1000; ++i) {
    if ((first_byte(pid, kFuncs, "alpha_one") == kInt3) == installed) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

struct ExitPath {
  const char *name;
  int signal;        // sent to utrace once its probe is in place; 0: the program exits itself
  int exit_status;   // utrace's
  bool perf_events;  // attach with one perf event per place instead of a uprobe_multi link
};

class Detach : public Runtime, public ::testing::WithParamInterface<ExitPath> {};

TEST_P(Detach, NothingIsLeftInTheTracedProgram) {
  const ExitPath &path = GetParam();
  testing::Background target({kFuncs, "0", "0", "forever"});
  ASSERT_TRUE(breakpoint_becomes(target.pid(), false));
  std::string program = "uprobe:" + kFuncs + ":alpha_* { @[func] = count(); }";
  if (path.signal == 0) program += " interval:ms:1500 { exit(); }";
  std::vector<std::string> argv{"/usr/bin/env"};
  if (path.perf_events) argv.push_back("UTRACE_NO_UPROBE_MULTI=1");
  argv.insert(argv.end(), {kUtrace, "-q", "-e", program});
  testing::Background tracer(argv);
  ASSERT_TRUE(breakpoint_becomes(target.pid(), true)) << "the uprobe never showed up";
  if (path.signal != 0) tracer.signal(path.signal);
  EXPECT_EQ(tracer.wait(10s), path.exit_status);
  EXPECT_TRUE(breakpoint_becomes(target.pid(), false)) << "the breakpoint stayed";
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(target.alive());
  expect_nothing_left_attached();
}

INSTANTIATE_TEST_SUITE_P(
    ExitPaths, Detach,
    ::testing::Values(ExitPath{"CtrlC", SIGINT, 0, false}, ExitPath{"Sigterm", SIGTERM, 0, false},
                      ExitPath{"Kill9", SIGKILL, 128 + SIGKILL, false},
                      ExitPath{"ExitBuiltin", 0, 0, false},
                      ExitPath{"CtrlCPerfEvents", SIGINT, 0, true},
                      ExitPath{"Kill9PerfEvents", SIGKILL, 128 + SIGKILL, true}),
    [](const auto &info) { return std::string(info.param.name); });

// An error after the first probe is attached (the second one's instruction is refused): what
// was attached goes again before utrace exits.
TEST_F(Runtime, AnErrorHalfWayThroughAttachingDetachesWhatWasAttached) {
  testing::Background target({kFuncs, "0", "0", "forever"});
  RunResult r = utrace({"-q", "-e",
                        "uprobe:" + kFuncs + ":alpha_one { @a = count(); } uprobe:" + kFuncs +
                            ":locked_add { @b = count(); }"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("locked_add: the kernel cannot place a uprobe"), std::string::npos) << r.err;
  EXPECT_NE(first_byte(target.pid(), kFuncs, "alpha_one"), kInt3);
  EXPECT_NE(first_byte(target.pid(), kFuncs, "alpha_one"), -1);
  EXPECT_TRUE(target.alive());
}

// -c: utrace ends with its command; another process running the same program keeps running,
// without the breakpoint it had while the command ran.
TEST_F(Runtime, TheCommandEndingDetaches) {
  testing::Background other({kFuncs, "0", "0", "forever"});
  RunResult r = utrace({"-q", "-c", kFuncs + " 200 500", "-e",
                        "uprobe:" + kFuncs + ":alpha_one /pid == cpid/ { @ = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(map_value(r.out, "@"), 200);
  EXPECT_NE(first_byte(other.pid(), kFuncs, "alpha_one"), kInt3);
  EXPECT_TRUE(other.alive());
}

// -p: utrace ends with the process; the uprobes it had there go with it.
TEST_F(Runtime, TheTargetEndingDetaches) {
  testing::Background target({kFuncs, "0", "0", "forever"});
  std::string pid = std::to_string(target.pid());
  testing::Background tracer(
      {kUtrace, "-q", "-p", pid, "-e", "uprobe:" + kFuncs + ":alpha_one { @ = count(); }"});
  ASSERT_TRUE(breakpoint_becomes(target.pid(), true));
  target.signal(SIGTERM);
  EXPECT_EQ(tracer.wait(10s), 0);
  testing::Background after({kFuncs, "0", "0", "forever"});
  EXPECT_NE(first_byte(after.pid(), kFuncs, "alpha_one"), kInt3);
}

}  // namespace
}  // namespace ut
