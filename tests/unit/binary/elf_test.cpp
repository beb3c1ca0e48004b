// ElfFile against real binaries: this test executable itself (a gcc/clang C++ binary, PIE or
// not), and a tiny Go program built at test time when `go` is installed.
#include "runtime/binary/elf.h"

#include <elf.h>
#include <link.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include "tests/unit/scratch_dir.h"

extern "C" {
__attribute__((noinline, used)) int ut_elf_test_marker(int x) {
  return x + 1;
}
__attribute__((used)) long ut_elf_test_global = 42;
// Declared, never defined: the test binary carries it as an undefined (weak) symbol.
__attribute__((weak)) int ut_elf_test_undefined(int x);
// Hand-written assembly without a .size directive: a function symbol of size 0.
void ut_elf_test_sizeless();
}

asm(R"(
  .pushsection .text
  .globl ut_elf_test_sizeless
  .type ut_elf_test_sizeless, @function
ut_elf_test_sizeless:
  nop
  nop
  ret
  .popsection
)");

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

TEST(ElfTest, MissingFileIsAnError) {
  auto elf = ElfFile::open("/nonexistent/utrace-elf-test");
  ASSERT_FALSE(elf);
  EXPECT_EQ(elf.error().message(), "does not exist");
}

TEST(ElfTest, NonElfFileIsAnError) {
  ut::testing::ScratchDir dir("ut_elf_test");
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

// Sections by name: .text holds the code a function symbol points at; .bss has no file bytes.
TEST(ElfTest, SelfSections) {
  auto elf = ElfFile::open(kSelf);
  ASSERT_TRUE(elf) << elf.error().message();
  const ElfSection *text = elf->section(".text");
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->name, ".text");
  EXPECT_EQ(text->contents.size(), text->size);
  auto sym = elf->find_symbol("ut_elf_test_marker");
  ASSERT_TRUE(sym);
  ASSERT_GE(sym->address, text->address);
  ASSERT_LE(sym->address + sym->size, text->address + text->size);
  auto bytes = elf->bytes(sym->address, sym->size);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(text->contents.substr(sym->address - text->address, sym->size), *bytes);

  const ElfSection *bss = elf->section(".bss");
  ASSERT_NE(bss, nullptr);
  EXPECT_GT(bss->size, 0u);
  EXPECT_TRUE(bss->contents.empty());
  EXPECT_EQ(elf->section(".gopclntab"), nullptr);
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

// C++ globals by their demangled names, as uaddr() is given them: in a namespace, a static
// member, in an anonymous namespace, a function's static local. Functions keep their symbol
// names: a demangled one may stand for several (find_uprobe_targets() places those).
TEST(ElfTest, CppDataByDemangledNames) {
  ut::testing::ScratchDir dir("ut_elf_test");
  ASSERT_FALSE(dir.path().empty());
  std::ofstream(dir.path() + "/globals.cpp") << R"(namespace geo {
int total = 3;
struct Widget { static int count; };
int Widget::count = 7;
namespace { long hidden = 5; }
int area(int w, int h) { return w * h; }
long use() { return hidden; }
}  // namespace geo
int main() { static int calls = 0; ++calls; return geo::total + geo::area(calls, 2) + geo::use(); }
)";
  std::string prog = dir.path() + "/globals";
  std::string command =
      "g++ -O0 -o '" + prog + "' '" + dir.path() + "/globals.cpp' >'" + prog + ".log' 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << read_file(prog + ".log");
  auto elf = ElfFile::open(prog);
  ASSERT_TRUE(elf) << elf.error().message();

  for (auto [demangled, mangled] :
       {std::pair{"geo::total", "_ZN3geo5totalE"},
        std::pair{"geo::Widget::count", "_ZN3geo6Widget5countE"},
        std::pair{"geo::(anonymous namespace)::hidden", "_ZN3geo12_GLOBAL__N_16hiddenE"},
        std::pair{"main::calls", "_ZZ4mainE5calls"}}) {
    auto by_symbol = elf->find_symbol(mangled);
    ASSERT_TRUE(by_symbol) << by_symbol.error().message();
    auto by_name = elf->find_symbol(demangled);
    ASSERT_TRUE(by_name) << by_name.error().message();
    EXPECT_EQ(by_name->name, mangled);
    EXPECT_EQ(by_name->address, by_symbol->address) << demangled;
    EXPECT_FALSE(by_name->is_function);
  }

  EXPECT_TRUE(elf->find_symbol("_ZN3geo4areaEii"));
  for (const char *function : {"geo::area(int, int)", "geo::area"}) {
    auto found = elf->find_symbol(function);
    ASSERT_FALSE(found) << function;
    EXPECT_EQ(found.error().message(),
              std::string("symbol '") + function + "' not found in " + prog);
  }
  EXPECT_FALSE(elf->find_symbol("geo::nothing"));
  EXPECT_FALSE(elf->find_symbol("total"));  // a scope is part of the name
}

TEST(ElfTest, WithoutParameters) {
  EXPECT_EQ(without_parameters("ns::Foo::bar(int) const"), "ns::Foo::bar");
  EXPECT_EQ(without_parameters("ns::g<void (*)(int)>(int)"), "ns::g<void (*)(int)>");
  EXPECT_EQ(without_parameters("(anonymous namespace)::f(int)"), "(anonymous namespace)::f");
  EXPECT_EQ(without_parameters("geo::(anonymous namespace)::f(long)"),
            "geo::(anonymous namespace)::f");
  EXPECT_EQ(without_parameters("geo::total"), "geo::total");
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

TEST(ElfTest, FunctionAtFindsTheFunctionHoldingAnAddress) {
  auto elf = ElfFile::open(kSelf);
  ASSERT_TRUE(elf) << elf.error().message();
  auto sym = elf->find_symbol("ut_elf_test_marker");
  ASSERT_TRUE(sym) << sym.error().message();
  ASSERT_GT(sym->size, 1u);

  for (uint64_t address : {sym->address, sym->address + 1, sym->address + sym->size - 1}) {
    const ElfSymbol *found = elf->function_at(address);
    ASSERT_NE(found, nullptr) << address;
    EXPECT_EQ(found->name, "ut_elf_test_marker");
    EXPECT_EQ(found->address, sym->address);
  }
  const ElfSymbol *next = elf->function_at(sym->address + sym->size);
  EXPECT_TRUE(next == nullptr || next->name != "ut_elf_test_marker");
}

TEST(ElfTest, FunctionAtFallsBackToSizelessFunctions) {
  auto elf = ElfFile::open(kSelf);
  ASSERT_TRUE(elf) << elf.error().message();
  auto sym = elf->find_symbol("ut_elf_test_sizeless");
  ASSERT_TRUE(sym) << sym.error().message();
  EXPECT_TRUE(sym->is_function);
  EXPECT_EQ(sym->size, 0u);
  EXPECT_EQ(main_program_bias() + sym->address, reinterpret_cast<uintptr_t>(&ut_elf_test_sizeless));

  // Its nop, nop, ret.
  for (uint64_t address : {sym->address, sym->address + 2}) {
    const ElfSymbol *found = elf->function_at(address);
    ASSERT_NE(found, nullptr) << address;
    EXPECT_EQ(found->name, "ut_elf_test_sizeless");
  }
}

TEST(ElfTest, FunctionAtOutsideCodeIsNull) {
  auto elf = ElfFile::open(kSelf);
  ASSERT_TRUE(elf) << elf.error().message();
  EXPECT_EQ(elf->function_at(0), nullptr);
  EXPECT_EQ(elf->function_at(UINT64_MAX - 4), nullptr);
  // Data lies in another segment than any function, sized or not (_fini has no size).
  auto global = elf->find_symbol("ut_elf_test_global");
  ASSERT_TRUE(global) << global.error().message();
  EXPECT_EQ(elf->function_at(global->address), nullptr);
}

TEST(ElfTest, AddressOfFileOffsetInvertsFileOffset) {
  auto elf = ElfFile::open(kSelf);
  ASSERT_TRUE(elf) << elf.error().message();
  for (const char *name : {"ut_elf_test_marker", "ut_elf_test_global"}) {
    auto sym = elf->find_symbol(name);
    ASSERT_TRUE(sym) << sym.error().message();
    auto address = elf->address_of_file_offset(sym->file_offset);
    ASSERT_TRUE(address) << address.error().message();
    EXPECT_EQ(*address, sym->address) << name;
    address = elf->address_of_file_offset(sym->file_offset + 1);
    ASSERT_TRUE(address) << address.error().message();
    EXPECT_EQ(*address, sym->address + 1) << name;
  }

  auto far = elf->address_of_file_offset(UINT64_MAX - 4);
  ASSERT_FALSE(far);
  EXPECT_EQ(far.error().message(), "file offset 0xfffffffffffffffb is in no loadable segment");
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
  const ElfSymbol *found = moved.function_at(sym->address + 1);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "ut_elf_test_marker");
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
  ut::testing::ScratchDir dir("ut_elf_test");
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

  // Back from the file (a non-PIE static executable) to the function.
  auto address = elf->address_of_file_offset(main_fn->file_offset + 4);
  ASSERT_TRUE(address) << address.error().message();
  EXPECT_EQ(*address, main_fn->address + 4);
  const ElfSymbol *found = elf->function_at(*address);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "main.main");

  auto counter = elf->find_symbol("main.counter");
  ASSERT_TRUE(counter) << counter.error().message();
  EXPECT_FALSE(counter->is_function);
  EXPECT_EQ(counter->size, 8u);
  EXPECT_NE(counter->address, 0u);
}

// The GNU build id of the loaded object whose path ends in `suffix`, read from its PT_NOTE
// segments in memory, the way the dynamic loader sees it; "" if none. `path` gets its path.
std::string loaded_build_id(const std::string &suffix, std::string &path) {
  struct Search {
    const std::string &suffix;
    std::string &path;
    std::string build_id;
  } search{suffix, path, ""};
  dl_iterate_phdr(
      [](dl_phdr_info *info, size_t, void *data) {
        auto &search = *static_cast<Search *>(data);
        std::string_view name = info->dlpi_name;
        if (name.size() < search.suffix.size() ||
            name.substr(name.size() - search.suffix.size()) != search.suffix) {
          return 0;
        }
        search.path = name;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr) &phdr = info->dlpi_phdr[i];
          if (phdr.p_type != PT_NOTE) continue;
          auto *at = reinterpret_cast<const char *>(info->dlpi_addr + phdr.p_vaddr);
          const char *end = at + phdr.p_memsz;
          while (at + sizeof(ElfW(Nhdr)) <= end) {
            ElfW(Nhdr) note;
            std::memcpy(&note, at, sizeof(note));
            const char *name_at = at + sizeof(note);
            const char *desc_at = name_at + ((note.n_namesz + 3) & ~3u);
            if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
                std::memcmp(name_at, "GNU", 4) == 0) {
              for (uint32_t j = 0; j < note.n_descsz; ++j) {
                char digits[3];
                std::snprintf(digits, sizeof(digits), "%02x",
                              static_cast<unsigned char>(desc_at[j]));
                search.build_id += digits;
              }
              return 1;
            }
            at = desc_at + ((note.n_descsz + 3) & ~3u);
          }
        }
        return 1;
      },
      &search);
  return search.build_id;
}

TEST(ElfTest, BuildIdOfLibcIsTheOneInItsNote) {
  std::string libc_path;
  std::string expected = loaded_build_id("/libc.so.6", libc_path);
  ASSERT_FALSE(libc_path.empty()) << "libc.so.6 is not loaded";
  ASSERT_FALSE(expected.empty()) << libc_path << " has no build id note";
  auto libc = ElfFile::open(libc_path);
  ASSERT_TRUE(libc) << libc.error().message();
  EXPECT_EQ(libc->build_id(), expected);
  EXPECT_EQ(libc->build_id().size(), 40u);  // SHA-1
}

TEST(ElfTest, DebugFileOfLibcAddsItsStaticFunctions) {
  std::string libc_path;
  loaded_build_id("/libc.so.6", libc_path);
  ASSERT_FALSE(libc_path.empty()) << "libc.so.6 is not loaded";
  auto libc = ElfFile::open(libc_path);
  ASSERT_TRUE(libc) << libc.error().message();
  if (!libc->is_stripped()) GTEST_SKIP() << libc_path << " is not stripped";
  const std::string &id = libc->build_id();
  ASSERT_GT(id.size(), 2u);
  std::string expected_path =
      "/usr/lib/debug/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
  ASSERT_TRUE(std::filesystem::exists(expected_path))
      << "libc's separate debug file " << expected_path
      << " is missing; install it (Debian: apt-get install libc6-dbg)";

  auto missing = libc->find_symbol("__libc_start_call_main");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "symbol '__libc_start_call_main' not found in " + libc_path);

  std::string real_path = std::filesystem::canonical(libc_path).string();
  auto debug = open_debug_file(*libc, real_path);
  ASSERT_TRUE(debug) << debug.error().message();
  EXPECT_EQ(debug->path(), expected_path);
  EXPECT_EQ(debug->build_id(), id);
  EXPECT_FALSE(debug->is_stripped());

  libc->add_debug_symbols(*debug);
  EXPECT_EQ(libc->debug_path(), expected_path);
  EXPECT_TRUE(libc->is_stripped());  // of its own
  auto sym = libc->find_symbol("__libc_start_call_main");
  ASSERT_TRUE(sym) << sym.error().message();
  EXPECT_TRUE(sym->is_function);
  EXPECT_GT(sym->size, 5u);
  // Offsets and bytes come from libc's own segments: the debug file's hold no code.
  auto offset = libc->file_offset(sym->address);
  ASSERT_TRUE(offset) << offset.error().message();
  EXPECT_EQ(sym->file_offset, *offset);
  EXPECT_TRUE(libc->bytes(sym->address, sym->size)) << "no code for __libc_start_call_main";
  const ElfSymbol *found = libc->function_at(sym->address + 5);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "__libc_start_call_main");
  // Exported functions keep their names and aliases.
  found = libc->function_at(libc->find_symbol("getpid")->address);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "getpid");
}

// A shared library built with `cc`, split the way distributions split packages: its debug file
// (DIR/libsplit.so.debug, .symtab and all) and the stripped library DIR/lib/libsplit.so that
// names it in .gnu_debuglink. `build_id_flag` is passed to the linker (--build-id=none|sha1).
struct SplitLibrary {
  std::string full;     // as built, not stripped
  std::string debug;    // objcopy --only-keep-debug of `full`
  std::string library;  // stripped, with a .gnu_debuglink to "libsplit.so.debug"
};

bool have_binutils() {
  return std::system(
             "command -v cc >/dev/null 2>&1 && command -v objcopy >/dev/null 2>&1 && "
             "command -v strip >/dev/null 2>&1") == 0;
}

std::optional<SplitLibrary> build_split_library(const std::string &dir,
                                                const std::string &build_id_flag, int variant) {
  std::filesystem::create_directories(dir + "/lib");
  std::ofstream(dir + "/split.c") << "__attribute__((noinline)) static int ut_hidden(int x) {\n"
                                  << "  return x * " << variant << " + 7;\n"
                                  << "}\n"
                                  << "int ut_exported(int x) { return ut_hidden(x) + 1; }\n";
  SplitLibrary split{dir + "/full.so", dir + "/libsplit.so.debug", dir + "/lib/libsplit.so"};
  std::string command = "cd '" + dir + "' && cc -O1 -g -shared -fPIC -Wl," + build_id_flag +
                        " -o full.so split.c && objcopy --only-keep-debug full.so " +
                        "libsplit.so.debug && strip --strip-all -o lib/libsplit.so full.so && " +
                        "objcopy --add-gnu-debuglink=libsplit.so.debug lib/libsplit.so";
  if (std::system((command + " >build.log 2>&1").c_str()) != 0) {
    std::fprintf(stderr, "building a split library failed:\n%s\n",
                 read_file(dir + "/build.log").c_str());
    return std::nullopt;
  }
  return split;
}

// Tests on a small library split into a stripped file and its debug file, built in a scratch
// directory with cc, objcopy and strip.
class SplitLibraryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_binutils()) GTEST_SKIP() << "needs cc, objcopy and strip";
    ASSERT_FALSE(scratch_.path().empty());
  }
  std::optional<SplitLibrary> build(const std::string &name, const std::string &build_id_flag,
                                    int variant) {
    return build_split_library(scratch_.path() + "/" + name, build_id_flag, variant);
  }

  ut::testing::ScratchDir scratch_{"ut_elf_test"};
  const std::string &dir = scratch_.path();
};

TEST_F(SplitLibraryTest, DebugLinkIsSearchedBesideTheFileThenInDotDebugThenUnderTheRoot) {
  auto split = build("build", "--build-id=none", 3);
  ASSERT_TRUE(split);
  auto library = ElfFile::open(split->library);
  ASSERT_TRUE(library) << library.error().message();
  EXPECT_TRUE(library->is_stripped());
  EXPECT_EQ(library->build_id(), "");
  EXPECT_EQ(library->debug_link(), "libsplit.so.debug");
  EXPECT_NE(library->debug_link_crc(), 0u);

  std::string lib_dir = dir + "/build/lib";
  std::string root = dir + "/root";
  std::vector<std::string> places = {lib_dir + "/libsplit.so.debug",
                                     lib_dir + "/.debug/libsplit.so.debug",
                                     root + lib_dir + "/libsplit.so.debug"};
  // Later places are found only once the earlier ones are empty.
  for (auto place = places.rbegin(); place != places.rend(); ++place) {
    std::filesystem::create_directories(std::filesystem::path(*place).parent_path());
    std::filesystem::copy_file(split->debug, *place);
    auto debug = open_debug_file(*library, split->library, root);
    ASSERT_TRUE(debug) << debug.error().message();
    EXPECT_EQ(debug->path(), *place);
  }
  for (const std::string &place : places) std::filesystem::remove(place);
  auto none = open_debug_file(*library, split->library, root);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "no separate debug file (tried " + places[0] + ", " +
                                        places[1] + ", " + places[2] + ")");
}

TEST_F(SplitLibraryTest, DebugLinkToAnotherBuildIsNotUsed) {
  auto split = build("build", "--build-id=none", 3);
  auto other = build("other", "--build-id=none", 5);
  ASSERT_TRUE(split && other);
  auto library = ElfFile::open(split->library);
  ASSERT_TRUE(library) << library.error().message();

  // The other build's debug file has the right name but not the CRC the link records.
  std::string lib_dir = dir + "/build/lib";
  std::filesystem::copy_file(other->debug, lib_dir + "/libsplit.so.debug");
  auto debug = open_debug_file(*library, split->library, dir + "/root");
  ASSERT_FALSE(debug);
  EXPECT_EQ(debug.error().message(),
            "no separate debug file (tried " + lib_dir + "/libsplit.so.debug, " + lib_dir +
                "/.debug/libsplit.so.debug, " + dir + "/root" + lib_dir + "/libsplit.so.debug)");
}

TEST_F(SplitLibraryTest, BuildIdFindsTheDebugFileWhoseSymbolsFillInTheStrippedOnes) {
  auto split = build("build", "--build-id=sha1", 3);
  ASSERT_TRUE(split);
  auto full = ElfFile::open(split->full);
  auto library = ElfFile::open(split->library);
  ASSERT_TRUE(full) << full.error().message();
  ASSERT_TRUE(library) << library.error().message();
  const std::string &id = library->build_id();
  ASSERT_EQ(id.size(), 40u);
  EXPECT_EQ(full->build_id(), id);

  std::string root = dir + "/root";
  std::string place = root + "/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
  std::filesystem::create_directories(std::filesystem::path(place).parent_path());
  std::filesystem::copy_file(split->debug, place);
  auto debug = open_debug_file(*library, split->library, root);
  ASSERT_TRUE(debug) << debug.error().message();
  EXPECT_EQ(debug->path(), place);

  ASSERT_FALSE(library->find_symbol("ut_hidden"));
  library->add_debug_symbols(*debug);
  EXPECT_EQ(library->debug_path(), place);
  // The static function is where the unstripped build has it, file offset included.
  auto expected = full->find_symbol("ut_hidden");
  auto hidden = library->find_symbol("ut_hidden");
  ASSERT_TRUE(expected) << expected.error().message();
  ASSERT_TRUE(hidden) << hidden.error().message();
  EXPECT_EQ(hidden->address, expected->address);
  EXPECT_EQ(hidden->size, expected->size);
  EXPECT_EQ(hidden->file_offset, expected->file_offset);
  auto code = library->bytes(hidden->address, hidden->size);
  ASSERT_TRUE(code) << code.error().message();
  EXPECT_EQ(*code, *full->bytes(expected->address, expected->size));
  const ElfSymbol *found = library->function_at(hidden->address + 1);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "ut_hidden");
  // Each symbol once, though both files have the exported one.
  EXPECT_EQ(std::count_if(library->symbols().begin(), library->symbols().end(),
                          [](const ElfSymbol &s) { return s.name == "ut_exported"; }),
            1);
}

TEST_F(SplitLibraryTest, FileWithoutBuildIdOrDebugLinkHasNoDebugFile) {
  auto split = build("build", "--build-id=none", 3);
  ASSERT_TRUE(split);
  auto full = ElfFile::open(split->full);
  ASSERT_TRUE(full) << full.error().message();
  EXPECT_EQ(full->build_id(), "");
  EXPECT_EQ(full->debug_link(), "");
  EXPECT_EQ(full->debug_link_crc(), 0u);
  auto debug = open_debug_file(*full, split->full, dir + "/root");
  ASSERT_FALSE(debug);
  EXPECT_EQ(debug.error().message(), "has neither a build id nor a .gnu_debuglink section");
}

}  // namespace
}  // namespace ut::runtime
