// Symbolizer against real processes: this test process, a forked copy of it, small C programs
// built at test time with `cc` and the Go counter sample as the build makes it in GO_INFO_DIR
// (plain, stripped with -s -w, a stripped PIE), resolved while they run and after they have
// exited.
#include "runtime/binary/symbolizer.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

#include <gtest/gtest.h>

#include "runtime/binary/elf.h"
#include "runtime/binary/go_binary.h"
#include "tests/unit/scratch_dir.h"

extern "C" __attribute__((noinline, used)) int ut_symbolizer_test_target(int x) {
  return x * 3 + 1;
}

namespace ut::runtime {
namespace {

uint64_t address_of(const void *p) {
  return reinterpret_cast<uintptr_t>(p);
}

uint64_t target_address() {
  return address_of(reinterpret_cast<const void *>(&ut_symbolizer_test_target));
}

std::string self_path() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

bool have_cc() {
  return std::system("command -v cc >/dev/null 2>&1") == 0;
}

// Compiles `source` with `cc FLAGS` into DIR/NAME; returns its path or "" (the log is printed).
std::string compile_c(const std::string &dir, const std::string &name, const std::string &flags,
                      const std::string &source) {
  std::ofstream(dir + "/" + name + ".c") << source;
  std::string command =
      "cd '" + dir + "' && cc " + flags + " -o " + name + " " + name + ".c >" + name + ".log 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::ifstream log(dir + "/" + name + ".log");
    std::fprintf(stderr, "cc failed:\n%s\n",
                 std::string(std::istreambuf_iterator<char>(log), {}).c_str());
    return "";
  }
  return dir + "/" + name;
}

// A child process of the test, killed and reaped at the latest by the destructor.
class Child {
 public:
  // A copy of this process that waits to be killed.
  static Child fork_self() {
    pid_t pid = fork();
    if (pid == 0) {
      for (;;) pause();
    }
    return Child(pid);
  }

  // Runs `path`; returns once it has exec'd it (pid -1 if that failed).
  static Child spawn(const std::string &path) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return Child(-1);
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      execl(path.c_str(), path.c_str(), static_cast<char *>(nullptr));
      char failed = 1;
      (void)!write(fds[1], &failed, 1);
      _exit(127);
    }
    close(fds[1]);
    // The close-on-exec pipe reads end-of-file once the exec succeeded.
    char failed = 0;
    ssize_t n;
    do {
      n = read(fds[0], &failed, 1);
    } while (n < 0 && errno == EINTR);
    close(fds[0]);
    Child child(pid);
    if (n != 0) child.kill_and_reap();
    return child;
  }

  Child(Child &&other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
  ~Child() { kill_and_reap(); }

  pid_t pid() const { return pid_; }
  void kill_and_reap() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  explicit Child(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

bool process_exists(pid_t pid) {
  return kill(pid, 0) == 0 || errno != ESRCH;
}

TEST(SymbolizerTest, ResolvesAFunctionOfThisProcess) {
  Symbolizer symbolizer;
  SymbolizedFrame frame = symbolizer.resolve(getpid(), target_address());
  EXPECT_EQ(frame.address, target_address());
  EXPECT_EQ(frame.symbol, "ut_symbolizer_test_target");
  EXPECT_EQ(frame.offset, 0u);
  EXPECT_EQ(frame.module, self_path());

  frame = symbolizer.resolve(getpid(), target_address() + 3);
  EXPECT_EQ(frame.symbol, "ut_symbolizer_test_target");
  EXPECT_EQ(frame.offset, 3u);
  EXPECT_EQ(frame.module, self_path());
}

TEST(SymbolizerTest, ResolvesAFunctionOfLibc) {
  // Through dlsym, so that a non-PIE test binary's PLT stub cannot stand in for libc's getpid.
  void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(libc, nullptr) << dlerror();
  void *getpid_fn = dlsym(libc, "getpid");
  ASSERT_NE(getpid_fn, nullptr) << dlerror();
  Dl_info info;
  ASSERT_NE(dladdr(getpid_fn, &info), 0);
  std::string libc_path = std::filesystem::canonical(info.dli_fname).string();
  dlclose(libc);

  Symbolizer symbolizer;
  // getpid and __getpid are aliases; the name without underscores wins.
  SymbolizedFrame frame = symbolizer.resolve(getpid(), address_of(getpid_fn));
  EXPECT_EQ(frame.symbol, "getpid");
  EXPECT_EQ(frame.offset, 0u);
  EXPECT_EQ(frame.module, libc_path);

  frame = symbolizer.resolve(getpid(), address_of(getpid_fn) + 1);
  EXPECT_EQ(frame.symbol, "getpid");
  EXPECT_EQ(frame.offset, 1u);
  EXPECT_EQ(frame.module, libc_path);
}

// Where libc.so.6 is loaded in this process: its path and load bias (runtime address - st_value).
struct LoadedLibc {
  std::string path;
  uint64_t bias = 0;
};

LoadedLibc loaded_libc() {
  LoadedLibc libc;
  dl_iterate_phdr(
      [](dl_phdr_info *info, size_t, void *data) {
        std::string_view name = info->dlpi_name;
        constexpr std::string_view kLibc = "/libc.so.6";
        if (name.size() < kLibc.size() || name.substr(name.size() - kLibc.size()) != kLibc) {
          return 0;
        }
        auto &libc = *static_cast<LoadedLibc *>(data);
        libc.path = name;
        libc.bias = info->dlpi_addr;
        return 1;
      },
      &libc);
  return libc;
}

TEST(SymbolizerTest, ResolvesAStaticFunctionOfStrippedLibcThroughItsDebugFile) {
  LoadedLibc loaded = loaded_libc();
  ASSERT_FALSE(loaded.path.empty()) << "libc.so.6 is not loaded";
  auto libc = ElfFile::open(loaded.path);
  ASSERT_TRUE(libc) << libc.error().message();
  if (!libc->is_stripped()) GTEST_SKIP() << loaded.path << " is not stripped";
  const std::string &id = libc->build_id();
  ASSERT_GT(id.size(), 2u) << loaded.path << " has no build id";
  std::string debug_path =
      "/usr/lib/debug/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
  ASSERT_TRUE(std::filesystem::exists(debug_path))
      << "libc's separate debug file " << debug_path
      << " is missing; install it (Debian: apt-get install libc6-dbg)";
  auto debug = ElfFile::open(debug_path);
  ASSERT_TRUE(debug) << debug_path << ": " << debug.error().message();
  // gtest's main() is called from here; libc.so.6 itself exports no such symbol.
  auto start = debug->find_symbol("__libc_start_call_main");
  ASSERT_TRUE(start) << start.error().message();
  ASSERT_GT(start->size, 5u);

  Symbolizer symbolizer;
  SymbolizedFrame frame = symbolizer.resolve(getpid(), loaded.bias + start->address + 5);
  EXPECT_EQ(frame.symbol, "__libc_start_call_main");
  EXPECT_EQ(frame.offset, 5u);
  EXPECT_EQ(frame.module, std::filesystem::canonical(loaded.path).string());
}

TEST(SymbolizerTest, ResolvesAfterTheProcessExits) {
  Child child = Child::fork_self();
  ASSERT_GT(child.pid(), 0);
  pid_t pid = child.pid();
  Symbolizer symbolizer;
  ASSERT_TRUE(symbolizer.remember(pid));
  child.kill_and_reap();
  ASSERT_FALSE(process_exists(pid));

  // The forked copy has this process's layout, so the function is at the same address there.
  SymbolizedFrame frame = symbolizer.resolve(pid, target_address() + 1);
  EXPECT_EQ(frame.symbol, "ut_symbolizer_test_target");
  EXPECT_EQ(frame.offset, 1u);
  EXPECT_EQ(frame.module, self_path());

  // Remembering a process that is gone keeps what was remembered.
  EXPECT_TRUE(symbolizer.remember(pid));
  EXPECT_EQ(symbolizer.resolve(pid, target_address()).symbol, "ut_symbolizer_test_target");
}

TEST(SymbolizerTest, ResolvesANonPieProgramAfterItExits) {
  if (!have_cc()) GTEST_SKIP() << "`cc` is not on PATH; cannot build a test program";
  ut::testing::ScratchDir dir("ut_symbolizer_test");
  ASSERT_FALSE(dir.path().empty());
  std::string prog = compile_c(dir.path(), "wait", "-O0 -no-pie", R"(#include <unistd.h>
__attribute__((noinline)) void ut_work(void) {
  for (;;) pause();
}
int main(void) {
  ut_work();
  return 0;
}
)");
  ASSERT_FALSE(prog.empty());
  auto elf = ElfFile::open(prog);
  ASSERT_TRUE(elf) << elf.error().message();
  ASSERT_FALSE(elf->is_pie());
  auto work = elf->find_symbol("ut_work");
  ASSERT_TRUE(work) << work.error().message();

  Child child = Child::spawn(prog);
  ASSERT_GT(child.pid(), 0);
  pid_t pid = child.pid();
  Symbolizer symbolizer;
  ASSERT_TRUE(symbolizer.remember(pid));
  child.kill_and_reap();

  // Not position-independent: the symbol's address is its runtime address.
  SymbolizedFrame frame = symbolizer.resolve(pid, work->address + 2);
  EXPECT_EQ(frame.symbol, "ut_work");
  EXPECT_EQ(frame.offset, 2u);
  EXPECT_EQ(frame.module, prog);
}

// Whether this process may open /proc/PID/map_files entries (CAP_SYS_ADMIN).
bool can_open_map_files() {
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator("/proc/self/map_files", ec)) {
    int fd = open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    close(fd);
    return true;
  }
  return false;
}

TEST(SymbolizerTest, ResolvesADeletedProgram) {
  if (!have_cc()) GTEST_SKIP() << "`cc` is not on PATH; cannot build a test program";
  ut::testing::ScratchDir dir("ut_symbolizer_test");
  ASSERT_FALSE(dir.path().empty());
  std::string prog = compile_c(dir.path(), "doomed", "-O0 -fPIE -pie", R"(#include <unistd.h>
__attribute__((noinline)) void ut_doomed(void) {
  for (;;) pause();
}
int main(void) {
  ut_doomed();
  return 0;
}
)");
  ASSERT_FALSE(prog.empty());
  auto elf = ElfFile::open(prog);
  ASSERT_TRUE(elf) << elf.error().message();
  auto doomed = elf->find_symbol("ut_doomed");
  ASSERT_TRUE(doomed) << doomed.error().message();

  Child child = Child::spawn(prog);
  ASSERT_GT(child.pid(), 0);
  pid_t pid = child.pid();
  ASSERT_TRUE(std::filesystem::remove(prog));

  // The runtime address, from where the program's first mapping (file offset 0) was loaded.
  uint64_t base = 0;
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  for (std::string line; std::getline(maps, line);) {
    if (line.find(prog) != std::string::npos) {
      base = std::stoull(line, nullptr, 16);
      break;
    }
  }
  ASSERT_NE(base, 0u);
  uint64_t address = base + doomed->address + 1;

  Symbolizer symbolizer;
  ASSERT_TRUE(symbolizer.remember(pid));
  child.kill_and_reap();
  SymbolizedFrame frame = symbolizer.resolve(pid, address);
  EXPECT_EQ(frame.module, prog + " (deleted)");
  if (can_open_map_files()) {
    EXPECT_EQ(frame.symbol, "ut_doomed");
    EXPECT_EQ(frame.offset, 1u);
  } else {
    // Without CAP_SYS_ADMIN the deleted file cannot be opened.
    EXPECT_EQ(frame.symbol, "");
  }
}

TEST(SymbolizerTest, RememberAgainFindsDlopenedLibraries) {
  if (!have_cc()) GTEST_SKIP() << "`cc` is not on PATH; cannot build a test library";
  ut::testing::ScratchDir dir("ut_symbolizer_test");
  ASSERT_FALSE(dir.path().empty());
  std::string lib = compile_c(dir.path(), "libut_late.so", "-O1 -shared -fPIC",
                              "int ut_late_function(int x) { return x * 7 + 1; }\n");
  ASSERT_FALSE(lib.empty());

  Symbolizer symbolizer;
  ASSERT_TRUE(symbolizer.remember(getpid()));
  void *handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  uint64_t late = address_of(dlsym(handle, "ut_late_function"));
  ASSERT_NE(late, 0u);

  // Mapped after remember(): unknown until the process is remembered again.
  SymbolizedFrame frame = symbolizer.resolve(getpid(), late);
  EXPECT_EQ(frame.symbol, "");
  EXPECT_EQ(frame.module, "");

  ASSERT_TRUE(symbolizer.remember(getpid()));
  frame = symbolizer.resolve(getpid(), late);
  EXPECT_EQ(frame.symbol, "ut_late_function");
  EXPECT_EQ(frame.offset, 0u);
  EXPECT_EQ(frame.module, lib);
  dlclose(handle);
}

const std::string kGoDir = GO_INFO_DIR;

// Where file offset `offset` of `path` is mapped in process `pid`, through its executable
// mapping that holds the offset; 0 when none does.
uint64_t runtime_address(pid_t pid, const std::string &path, uint64_t offset) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  for (std::string line; std::getline(maps, line);) {
    unsigned long long start = 0, end = 0, file_offset = 0;
    char perms[5] = {};
    if (std::sscanf(line.c_str(), "%llx-%llx %4s %llx", &start, &end, perms, &file_offset) != 4 ||
        perms[2] != 'x' || line.size() < path.size() ||
        line.compare(line.size() - path.size(), path.size(), path) != 0) {
      continue;
    }
    if (offset >= file_offset && offset - file_offset < end - start)
      return start + (offset - file_offset);
  }
  return 0;
}

// -ldflags='-s -w' leaves no symbol table, yet ustack() of the stripped build must print what
// the plain build's prints: the same functions (from .gopclntab) at the same addresses, which
// the two builds share (go_binary_test.cpp checks that). Resolved after both have exited.
TEST(SymbolizerTest, ResolvesAStrippedGoProgramAsItsUnstrippedBuild) {
  std::string plain_path = kGoDir + "/plain";
  std::string stripped_path = kGoDir + "/stripped";
  auto plain = ElfFile::open(plain_path);
  ASSERT_TRUE(plain) << plain.error().message();
  auto stripped = ElfFile::open(stripped_path);
  ASSERT_TRUE(stripped) << stripped.error().message();
  ASSERT_TRUE(stripped->is_go());
  ASSERT_TRUE(stripped->is_stripped());
  ASSERT_FALSE(stripped->is_pie());

  Child plain_child = Child::spawn(plain_path);
  Child stripped_child = Child::spawn(stripped_path);
  pid_t plain_pid = plain_child.pid();
  pid_t stripped_pid = stripped_child.pid();
  ASSERT_GT(plain_pid, 0);
  ASSERT_GT(stripped_pid, 0);
  Symbolizer symbolizer;
  ASSERT_TRUE(symbolizer.remember(plain_pid));
  ASSERT_TRUE(symbolizer.remember(stripped_pid));
  plain_child.kill_and_reap();
  stripped_child.kill_and_reap();

  for (const char *name : {"main.doWork", "main.main", "runtime.main"}) {
    auto symbol = plain->find_symbol(name);
    ASSERT_TRUE(symbol) << symbol.error().message();
    ASSERT_GT(symbol->size, 4u) << name;
    uint64_t address = symbol->address + 4;
    // What the ELF symbols alone would give: nothing.
    EXPECT_EQ(stripped->function_at(address), nullptr) << name;

    SymbolizedFrame from_symtab = symbolizer.resolve(plain_pid, address);
    SymbolizedFrame from_pclntab = symbolizer.resolve(stripped_pid, address);
    EXPECT_EQ(from_symtab.symbol, name);
    EXPECT_EQ(from_symtab.offset, 4u) << name;
    EXPECT_EQ(from_pclntab.symbol, name);
    EXPECT_EQ(from_pclntab.offset, 4u) << name;
    EXPECT_EQ(from_pclntab.module, stripped_path);
  }
}

// A stripped PIE is loaded wherever the kernel likes; its pclntab holds link-time addresses,
// reached through the mapping like ELF symbols are.
TEST(SymbolizerTest, ResolvesAStrippedGoPie) {
  std::string path = kGoDir + "/pie_stripped";
  auto elf = ElfFile::open(path);
  ASSERT_TRUE(elf) << elf.error().message();
  ASSERT_TRUE(elf->is_pie());
  ASSERT_TRUE(elf->is_stripped());
  auto go = GoBinaryInfo::read(*elf, nullptr);
  ASSERT_TRUE(go) << go.error().message();
  const GoFunction *work = go->function("main.doWork");
  ASSERT_NE(work, nullptr);
  auto offset = elf->file_offset(work->entry + 3);
  ASSERT_TRUE(offset) << offset.error().message();

  Child child = Child::spawn(path);
  ASSERT_GT(child.pid(), 0);
  uint64_t address = runtime_address(child.pid(), path, *offset);
  ASSERT_NE(address, 0u);
  Symbolizer symbolizer;
  SymbolizedFrame frame = symbolizer.resolve(child.pid(), address);
  EXPECT_EQ(frame.symbol, "main.doWork");
  EXPECT_EQ(frame.offset, 3u);
  EXPECT_EQ(frame.module, path);
}

TEST(SymbolizerTest, UnknownAddressResolvesToNothing) {
  Symbolizer symbolizer;
  SymbolizedFrame frame = symbolizer.resolve(getpid(), 0x10);
  EXPECT_EQ(frame.address, 0x10u);
  EXPECT_EQ(frame.symbol, "");
  EXPECT_EQ(frame.offset, 0u);
  EXPECT_EQ(frame.module, "");
}

TEST(SymbolizerTest, VdsoKeepsOnlyItsName) {
  uint64_t vdso = getauxval(AT_SYSINFO_EHDR);
  if (vdso == 0) GTEST_SKIP() << "no vDSO";
  Symbolizer symbolizer;
  SymbolizedFrame frame = symbolizer.resolve(getpid(), vdso);
  EXPECT_EQ(frame.symbol, "");
  EXPECT_EQ(frame.module, "[vdso]");
}

TEST(SymbolizerTest, MissingProcess) {
  pid_t pid = std::numeric_limits<pid_t>::max();  // above any pid_max
  Symbolizer symbolizer;
  EXPECT_FALSE(symbolizer.remember(pid));
  SymbolizedFrame frame = symbolizer.resolve(pid, target_address());
  EXPECT_EQ(frame.symbol, "");
  EXPECT_EQ(frame.module, "");
}

}  // namespace
}  // namespace ut::runtime
