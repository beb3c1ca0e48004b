// utrace --info BINARY as a user runs it: the Go counter, a C tracee, a stripped copy of the
// counter, and the errors. No BPF is loaded, but the tests share the runtime fixture's tracees.
#include "runtime/binary/elf.h"
#include "runtime/binary/go_binary.h"
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

// The number --info prints on its "functions:" line: pclntab entries for Go, function symbols
// otherwise. The counts depend on the toolchain; the rest of each expectation is literal.
size_t go_functions(const std::string &path) {
  auto elf = runtime::ElfFile::open(path);
  EXPECT_TRUE(elf);
  auto go = runtime::GoBinaryInfo::read(*elf, nullptr);
  EXPECT_TRUE(go);
  return go ? go->functions().size() : 0;
}

size_t function_symbols(const std::string &path) {
  auto elf = runtime::ElfFile::open(path);
  EXPECT_TRUE(elf);
  size_t n = 0;
  for (const runtime::ElfSymbol &s : elf->symbols()) n += s.is_function && s.address != 0;
  return n;
}

// What utrace knows about the Go release the tests were built with.
std::string goid_offset() {
  auto release = runtime::parse_go_version(GO_VERSION);
  EXPECT_TRUE(release);
  auto offset = runtime::goid_offset_for(*release);
  EXPECT_TRUE(offset);
  return std::to_string(offset.value_or(0));
}

TEST_F(Runtime, InfoDescribesAGoProgram) {
  RunResult r = utrace({"--info", kTmpCounter});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            "file: /tmp/counter\n"
            "language: Go\n"
            "go version: " GO_VERSION
            "\n"
            "abi: register (from DWARF)\n"
            "goid offset: " +
                goid_offset() +
                " (from DWARF)\n"
                "stripped: no\n"
                "pie: no\n"
                "dwarf: yes\n"
                "functions: " +
                std::to_string(go_functions(kTmpCounter)) + "\n");
}

// Stripped of symbols and DWARF, a Go program still has its build info and pclntab; the ABI and
// goid offset then follow from its Go version.
TEST_F(Runtime, InfoDescribesAStrippedGoProgram) {
  std::string stripped = ::testing::TempDir() + "/utrace-counter-stripped";
  ASSERT_EQ(std::system(("strip -o '" + stripped + "' " + kTmpCounter).c_str()), 0);
  RunResult r = utrace({"--info", stripped});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "file: " + stripped +
                       "\n"
                       "language: Go\n"
                       "go version: " GO_VERSION
                       "\n"
                       "abi: register (from Go version)\n"
                       "goid offset: " +
                       goid_offset() +
                       " (from Go version)\n"
                       "stripped: yes\n"
                       "pie: no\n"
                       "dwarf: no\n"
                       "functions: " +
                       std::to_string(go_functions(kTmpCounter)) + "\n");
  std::filesystem::remove(stripped);
}

TEST_F(Runtime, InfoDescribesACProgram) {
  const std::string funcs = TRACEE_DIR "/funcs";
  RunResult r = utrace({"--info", funcs});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "file: " + funcs +
                       "\n"
                       "language: C\n"
                       "stripped: no\n"
                       "pie: yes\n"
                       "dwarf: yes\n"
                       "functions: " +
                       std::to_string(function_symbols(funcs)) + "\n");

  // A library by the name the dynamic linker knows, its DWARF in its debug file (libc6-dbg).
  r = utrace({"--info", "libc"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("file: /lib/x86_64-linux-gnu/libc.so.6\nlanguage: C\nstripped: yes\n"
                        "pie: yes\ndwarf: yes (/usr/lib/debug/.build-id/",
                        0),
            0u)
      << r.out;
}

TEST_F(Runtime, InfoErrors) {
  RunResult r = utrace({"--info", "/tmp/no-such-binary"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ERROR: /tmp/no-such-binary: does not exist\n");

  std::string text = ::testing::TempDir() + "/utrace-not-elf";
  std::ofstream(text) << "#!/bin/sh\n";
  r = utrace({"--info", text});
  std::filesystem::remove(text);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ERROR: " + text + ": is not an ELF file\n");

  r = utrace({"--info", "no-such-program"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "ERROR: 'no-such-program' is not a path, a program on $PATH or a library the dynamic "
            "linker knows\n");

  r = utrace({"--info", kTmpCounter, "extra"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ERROR: --info takes one binary; unexpected 'extra'\n");
}

}  // namespace
}  // namespace ut
