// ElfFile against real binaries: this test executable itself (a gcc/clang C++ binary, PIE or
// not), and a tiny Go program built at test time when `go` is installed.
#include "runtime/elf.h"

#include <elf.h>
#include <link.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>

extern "C" {
__attribute__((noinline, used)) int ut_elf_test_marker(int x) {
  return x + 1;
}
__attribute__((used)) long ut_elf_test_global = 42;
// Declared, never defined: the test binary carries it as an undefined (weak) symbol.
__attribute__((weak)) int ut_elf_test_undefined(int x);
}

namespace ut::runtime {
namespace {

constexpr const char *kSelf = "/proc/self/exe";

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The main program's load bias: runtime address = bias + st_value (0 for a non-PIE executable).
uintptr_t main_program_bias() {
  uintptr_t bias = 0;
  // The first object dl_iterate_phdr reports is the main program.
  dl_iterate_phdr(
      [](dl_phdr_info *info, size_t, void *data) {
        *static_cast<uintptr_t *>(data) = info->dlpi_addr;
        return 1;
      },
      &bias);
  return bias;
}

// A fresh directory under the gtest temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = testing::TempDir() + "ut_elf_test_XXXXXX";
    path_ = mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string &path() const { return path_; }

 private:
  std::string path_;
};

TEST(ElfTest, MissingFileIsAnError) {
  auto elf = ElfFile::open("/nonexistent/utrace-elf-test");
  ASSERT_FALSE(elf);
  EXPECT_EQ(elf.error().message(), "does not exist");
}

TEST(ElfTest, NonElfFileIsAnError) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string path = dir.path() + "/script.bt";
  std::ofstream(path) << "BEGIN { printf(\"hello\\n\"); }\n";
  auto elf = ElfFile::open(path);
  ASSERT_FALSE(elf);
  EXPECT_EQ(elf.error().message(), "is not an ELF file");
}

TEST(ElfTest, SelfBasics) {
  auto elf = ElfFile::open(kSelf);
  ASSERT_TRUE(elf) << elf.error().message();
  EXPECT_EQ(elf->path(), kSelf);

  std::string file = read_file(kSelf);
  ASSERT_GE(file.size(), sizeof(Elf64_Ehdr));
  Elf64_Ehdr ehdr;
  std::memcpy(&ehdr, file.data(), sizeof(ehdr));
  EXPECT_EQ(elf->is_pie(), ehdr.e_type == ET_DYN);
  EXPECT_FALSE(elf->is_go());
  EXPECT_FALSE(elf->is_stripped());
}

TEST(ElfTest, SelfFunction) {
  auto elf = ElfFile::open(kSelf);
  ASSERT_TRUE(elf) << elf.error().message();
  auto sym = elf->find_symbol("ut_elf_test_marker");
  ASSERT_TRUE(sym) << sym.error().message();
  EXPECT_EQ(sym->name, "ut_elf_test_marker");
  EXPECT_TRUE(sym->is_function);
  EXPECT_GT(sym->size, 0u);
  EXPECT_NE(sym->address, 0u);

  // The symbol is where the running code is.
  auto *code = reinterpret_cast<const char *>(&ut_elf_test_marker);
  EXPECT_EQ(main_program_bias() + sym->address, reinterpret_cast<uintptr_t>(code));

  // file_offset agrees with itself and points at the same bytes that are mapped in memory.
  auto offset = elf->file_offset(sym->address);
  ASSERT_TRUE(offset) << offset.error().message();
  EXPECT_EQ(*offset, sym->file_offset);
  std::string file = read_file(kSelf);
  ASSERT_LE(sym->file_offset + sym->size, file.size());
  std::string_view in_memory(code, sym->size);
  EXPECT_EQ(std::string_view(file).substr(sym->file_offset, sym->size), in_memory);

  auto bytes = elf->bytes(sym->address, sym->size);
  ASSERT_TRUE(bytes) << bytes.error().message();
  EXPECT_EQ(*bytes, in_memory);
}

TEST(ElfTest, SelfGlobal) {
  auto elf = ElfFile::open(kSelf);
  ASSERT_TRUE(elf) << elf.error().message();
  auto sym = elf->find_symbol("ut_elf_test_global");
  ASSERT_TRUE(sym) << sym.error().message();
  EXPECT_FALSE(sym->is_function);
  EXPECT_EQ(sym->size, sizeof(long));
  EXPECT_EQ(main_program_bias() + sym->address, reinterpret_cast<uintptr_t>(&ut_elf_test_global));

  // An initialized global lives in the file: its bytes there are the initial value.
  auto bytes = elf->bytes(sym->address, sym->size);
  ASSERT_TRUE(bytes) << bytes.error().message();
  long initial = 0;
  std::memcpy(&initial, bytes->data(), sizeof(initial));
  EXPECT_EQ(initial, 42);
}

TEST(ElfTest, MissingSymbolMessage) {
  auto elf = ElfFile::open(kSelf);
  ASSERT_TRUE(elf) << elf.error().message();
  auto sym = elf->find_symbol("ut_elf_test_no_such_symbol");
  ASSERT_FALSE(sym);
  EXPECT_EQ(sym.error().message(),
            "symbol 'ut_elf_test_no_such_symbol' not found in /proc/self/exe");
}

TEST(ElfTest, UndefinedSymbolsAreNotFound) {
  auto elf = ElfFile::open(kSelf);
  ASSERT_TRUE(elf) << elf.error().message();
  // Taking the address keeps the undefined symbol in the symbol table.
  ASSERT_EQ(&ut_elf_test_undefined, nullptr);
  auto sym = elf->find_symbol("ut_elf_test_undefined");
  ASSERT_FALSE(sym);
  EXPECT_EQ(sym.error().message(), "symbol 'ut_elf_test_undefined' not found in /proc/self/exe");
}

TEST(ElfTest, SymbolsAreSortedDedupedAndDefined) {
  auto elf = ElfFile::open(kSelf);
  ASSERT_TRUE(elf) << elf.error().message();
  const auto &symbols = elf->symbols();
  ASSERT_FALSE(symbols.empty());
  bool found_marker = false;
  for (size_t i = 0; i < symbols.size(); ++i) {
    EXPECT_FALSE(symbols[i].name.empty());
    if (i > 0) {
      EXPECT_LE(symbols[i - 1].name, symbols[i].name);
      EXPECT_FALSE(symbols[i - 1].name == symbols[i].name &&
                   symbols[i - 1].address == symbols[i].address)
          << symbols[i].name;
    }
    if (symbols[i].name == "ut_elf_test_marker") found_marker = symbols[i].is_function;
  }
  EXPECT_TRUE(found_marker);
}

TEST(ElfTest, AddressesOutsideSegmentsAreErrors) {
  auto elf = ElfFile::open(kSelf);
  ASSERT_TRUE(elf) << elf.error().message();
  constexpr uint64_t kFar = UINT64_MAX - 4;
  auto offset = elf->file_offset(kFar);
  ASSERT_FALSE(offset);
  EXPECT_EQ(offset.error().message(), "address 0xfffffffffffffffb is in no loadable segment");

  auto sym = elf->find_symbol("ut_elf_test_marker");
  ASSERT_TRUE(sym) << sym.error().message();
  auto bytes = elf->bytes(sym->address, UINT64_MAX);
  ASSERT_FALSE(bytes);
  EXPECT_TRUE(
      bytes.error().message().ends_with(", +18446744073709551615) is not backed by file contents"))
      << bytes.error().message();
}

TEST(ElfTest, MovedFileKeepsWorking) {
  auto opened = ElfFile::open(kSelf);
  ASSERT_TRUE(opened) << opened.error().message();
  ElfFile elf = std::move(opened).value();
  ElfFile moved = std::move(elf);
  auto sym = moved.find_symbol("ut_elf_test_marker");
  ASSERT_TRUE(sym) << sym.error().message();
  auto bytes = moved.bytes(sym->address, sym->size);
  ASSERT_TRUE(bytes) << bytes.error().message();
  EXPECT_EQ(*bytes,
            std::string_view(reinterpret_cast<const char *>(&ut_elf_test_marker), sym->size));
}

// Builds `main_go` into `dir` with a private Go cache; returns the binary's path or "" (the build
// log is then printed).
std::string build_go_program(const std::string &dir, const std::string &main_go) {
  std::ofstream(dir + "/main.go") << main_go;
  std::string command = "cd '" + dir + "' && HOME='" + dir + "' GOCACHE='" + dir +
                        "/cache' GOPATH='" + dir + "/gopath' GOFLAGS= GOTOOLCHAIN=local " +
                        "CGO_ENABLED=0 go build -o prog main.go >build.log 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "go build failed:\n%s\n", read_file(dir + "/build.log").c_str());
    return "";
  }
  return dir + "/prog";
}

TEST(ElfTest, GoBinary) {
  if (std::system("command -v go >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "`go` is not on PATH; cannot build a Go test binary";
  }
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string prog = build_go_program(dir.path(), R"(package main

var counter int64

func main() {
	for i := 0; i < 3; i++ {
		counter += int64(i)
	}
	println(counter)
}
)");
  ASSERT_FALSE(prog.empty());

  auto elf = ElfFile::open(prog);
  ASSERT_TRUE(elf) << elf.error().message();
  EXPECT_TRUE(elf->is_go());
  EXPECT_FALSE(elf->is_stripped());

  auto main_fn = elf->find_symbol("main.main");
  ASSERT_TRUE(main_fn) << main_fn.error().message();
  EXPECT_TRUE(main_fn->is_function);
  EXPECT_GT(main_fn->size, 0u);
  auto bytes = elf->bytes(main_fn->address, main_fn->size);
  ASSERT_TRUE(bytes) << bytes.error().message();
  std::string file = read_file(prog);
  EXPECT_EQ(std::string_view(file).substr(main_fn->file_offset, main_fn->size), *bytes);

  auto counter = elf->find_symbol("main.counter");
  ASSERT_TRUE(counter) << counter.error().message();
  EXPECT_FALSE(counter->is_function);
  EXPECT_EQ(counter->size, 8u);
  EXPECT_NE(counter->address, 0u);
}

}  // namespace
}  // namespace ut::runtime
