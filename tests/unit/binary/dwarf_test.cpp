// DwarfInfo against real DWARF: tests/unit/fixtures/dwarf_params.c compiled here by gcc and
// clang with several flags, the C++ tracee shapes.cpp, a Go program the build makes
// (fixtures/dwarf_params.go), and Debian's libc through its separate debug file.
#include "runtime/binary/dwarf.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/binary/binary_catalog.h"
#include "tests/unit/scratch_dir.h"

namespace ut::runtime {
namespace {

const std::string kFixture = std::string(UTRACE_SOURCE_DIR) + "/tests/unit/fixtures/dwarf_params.c";

// Compiles `source` with `COMPILER FLAGS` into DIR/NAME; returns its path, or "" after printing
// the compiler's output.
std::string compile(const std::string &dir, const std::string &name, const std::string &compiler,
                    const std::string &flags, const std::string &source) {
  std::string log = dir + "/" + name + ".log";
  std::string command = compiler + " " + flags + " -o '" + dir + "/" + name + "' '" + source +
                        "' >'" + log + "' 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::ifstream in(log);
    std::fprintf(stderr, "%s failed:\n%s\n", command.c_str(),
                 std::string(std::istreambuf_iterator<char>(in), {}).c_str());
    return "";
  }
  return dir + "/" + name;
}

DwarfInfo open_dwarf(const std::string &path) {
  auto elf = ElfFile::open(path);
  EXPECT_TRUE(elf) << path << ": " << elf.error().message();
  auto dwarf = DwarfInfo::open(*elf, path);
  EXPECT_TRUE(dwarf) << path << ": " << dwarf.error().message();
  return std::move(dwarf).value();
}

// The parameters as -lv prints them: "TYPE NAME".
std::vector<std::string> declarations(const DwarfFunction &fn) {
  std::vector<std::string> out;
  for (const DwarfParameter &p : fn.params)
    out.push_back(p.name.empty() ? p.type.name : p.type.name + " " + p.name);
  return out;
}

std::vector<std::string> params_of(DwarfInfo &dwarf, const std::string &function) {
  auto fn = dwarf.function(function);
  EXPECT_TRUE(fn) << fn.error().message();
  return fn ? declarations(*fn) : std::vector<std::string>{};
}

const char *kind_name(DwarfTypeKind kind) {
  switch (kind) {
    case DwarfTypeKind::Unknown:
      return "unknown";
    case DwarfTypeKind::Void:
      return "void";
    case DwarfTypeKind::Bool:
      return "bool";
    case DwarfTypeKind::Int:
      return "int";
    case DwarfTypeKind::Float:
      return "float";
    case DwarfTypeKind::Pointer:
      return "pointer";
    case DwarfTypeKind::Struct:
      return "struct";
    case DwarfTypeKind::Union:
      return "union";
    case DwarfTypeKind::Enum:
      return "enum";
    case DwarfTypeKind::Array:
      return "array";
    case DwarfTypeKind::Function:
      return "function";
  }
  return "?";
}

// Each parameter's layout: "NAME: KIND SIZE", with " signed" for signed integers.
std::vector<std::string> layouts(const DwarfFunction &fn) {
  std::vector<std::string> out;
  for (const DwarfParameter &p : fn.params) {
    out.push_back(p.name + ": " + kind_name(p.type.kind) + " " + std::to_string(p.type.size) +
                  (p.type.is_signed ? " signed" : ""));
  }
  return out;
}

// Each parameter's location at the entry: "NAME: reg5", "NAME: fb-20", pieces as
// "reg2:8 reg5:8"; "NAME: -" when there is none.
std::vector<std::string> locations(const DwarfFunction &fn) {
  std::vector<std::string> out;
  for (const DwarfParameter &p : fn.params) {
    std::string text;
    for (const DwarfPlace &place : p.location) {
      if (!text.empty()) text += " ";
      text += place.kind == DwarfPlace::Kind::Register ? "reg" + std::to_string(place.reg)
                                                       : "fb" + std::to_string(place.offset);
      if (place.size != 0) text += ":" + std::to_string(place.size);
    }
    out.push_back(p.name + ": " + (text.empty() ? "-" : text));
  }
  return out;
}

using Lines = std::vector<std::string>;

class DwarfCTest : public ::testing::Test {
 protected:
  testing::ScratchDir dir_{"utrace_dwarf"};
};

// gcc's spelling of C types: base types by their DWARF names ("long unsigned int"), typedefs
// kept, the star against the type as bpftrace prints it.
TEST_F(DwarfCTest, GccTypes) {
  std::string prog = compile(dir_.path(), "prog", "gcc", "-O0 -g", kFixture);
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);
  ASSERT_TRUE(dwarf.has_dwarf());
  EXPECT_EQ(dwarf.path(), prog);
  EXPECT_EQ(params_of(dwarf, "add"), (Lines{"int a", "int b"}));
  EXPECT_EQ(params_of(dwarf, "ulong_id"), (Lines{"long unsigned int v"}));
  EXPECT_EQ(params_of(dwarf, "str_len"), (Lines{"const char* s"}));
  EXPECT_EQ(params_of(dwarf, "use_point"), (Lines{"struct point* p"}));
  EXPECT_EQ(params_of(dwarf, "unnamed"), (Lines{"int a", "int"}));
  EXPECT_EQ(params_of(dwarf, "none"), Lines{});
  EXPECT_EQ(params_of(dwarf, "main"), (Lines{"int argc", "char** argv"}));
  EXPECT_EQ(params_of(dwarf, "mixed"),
            (Lines{"binop f", "int (*)(int) g", "int (*)[4] m", "char** argv", "char* const cp",
                   "volatile long int* vl", "double d", "_Bool b", "enum color e", "union num u",
                   "struct point pt", "void* vp", "const void* cvp"}));

  auto vararg = dwarf.function("vararg");
  ASSERT_TRUE(vararg);
  EXPECT_EQ(declarations(*vararg), (Lines{"const char* fmt"}));
  EXPECT_TRUE(vararg->variadic);
  EXPECT_EQ(vararg->name, "vararg");
  EXPECT_EQ(vararg->linkage_name, "");

  auto mixed = dwarf.function("mixed");
  ASSERT_TRUE(mixed);
  EXPECT_EQ(layouts(*mixed),
            (Lines{"f: pointer 8", "g: pointer 8", "m: pointer 8", "argv: pointer 8",
                   "cp: pointer 8", "vl: pointer 8", "d: float 8", "b: bool 1", "e: enum 4",
                   "u: union 4", "pt: struct 8", "vp: pointer 8", "cvp: pointer 8"}));
  auto str_len = dwarf.function("str_len");
  ASSERT_TRUE(str_len);
  EXPECT_EQ(str_len->params[0].type.kind, DwarfTypeKind::Pointer);
  auto add = dwarf.function("add");
  ASSERT_TRUE(add);
  EXPECT_EQ(layouts(*add), (Lines{"a: int 4 signed", "b: int 4 signed"}));
  auto ulong_id = dwarf.function("ulong_id");
  ASSERT_TRUE(ulong_id);
  EXPECT_EQ(layouts(*ulong_id), (Lines{"v: int 8"}));
}

// A lookup by an ELF symbol's address finds the function the name finds, and caches it; an
// address inside a function, or a name without code, finds nothing.
TEST_F(DwarfCTest, ByAddressAndErrors) {
  std::string prog = compile(dir_.path(), "prog", "gcc", "-O0 -g", kFixture);
  ASSERT_FALSE(prog.empty());
  auto elf = ElfFile::open(prog);
  ASSERT_TRUE(elf);
  auto symbol = elf->find_symbol("use_point");
  ASSERT_TRUE(symbol);
  DwarfInfo dwarf = open_dwarf(prog);
  auto at = dwarf.function_at(symbol->address);
  ASSERT_TRUE(at) << at.error().message();
  EXPECT_EQ(at->name, "use_point");
  EXPECT_EQ(at->address, symbol->address);
  EXPECT_EQ(declarations(*at), (Lines{"struct point* p"}));
  auto by_name = dwarf.function("use_point");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->address, symbol->address);

  char inside[32];
  std::snprintf(inside, sizeof(inside), "0x%llx", (unsigned long long)symbol->address + 1);
  auto mid = dwarf.function_at(symbol->address + 1);
  ASSERT_FALSE(mid);
  EXPECT_EQ(mid.error().message(), std::string("no DWARF for a function at ") + inside);
  auto missing = dwarf.function("no_such_function");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "no DWARF for function 'no_such_function'");
  // `point` is a struct, not a function.
  EXPECT_FALSE(dwarf.function("point"));
}

// Unoptimized gcc code keeps parameters in stack slots off the CFA; optimized code has them in
// the argument registers at the entry (rdi, rsi: DWARF 5, 4) through location lists, and the
// seventh and later on the stack from the CFA up.
TEST_F(DwarfCTest, Locations) {
  std::string o0 = compile(dir_.path(), "o0", "gcc", "-O0 -g", kFixture);
  std::string o2 = compile(dir_.path(), "o2", "gcc", "-O2 -g", kFixture);
  std::string clang = compile(dir_.path(), "clang", "clang", "-O0 -g", kFixture);
  ASSERT_FALSE(o0.empty() || o2.empty() || clang.empty());

  DwarfInfo unoptimized = open_dwarf(o0);
  auto add = unoptimized.function("add");
  ASSERT_TRUE(add);
  EXPECT_EQ(add->frame_base.kind, DwarfFrameBase::Kind::Cfa);
  EXPECT_EQ(locations(*add), (Lines{"a: fb-20", "b: fb-24"}));

  DwarfInfo optimized = open_dwarf(o2);
  add = optimized.function("add");
  ASSERT_TRUE(add);
  EXPECT_EQ(locations(*add), (Lines{"a: reg5", "b: reg4"}));
  auto mixed = optimized.function("mixed");
  ASSERT_TRUE(mixed);
  EXPECT_EQ(locations(*mixed), (Lines{"f: reg5", "g: reg4", "m: reg1", "argv: reg2", "cp: reg8",
                                      "vl: reg9", "d: reg17", "b: fb0", "e: fb8", "u: fb16",
                                      "pt: fb24", "vp: fb32", "cvp: fb40"}));

  DwarfInfo by_clang = open_dwarf(clang);
  add = by_clang.function("add");
  ASSERT_TRUE(add);
  EXPECT_EQ(add->frame_base.kind, DwarfFrameBase::Kind::Register);
  EXPECT_EQ(add->frame_base.reg, 6u);  // rbp
  EXPECT_EQ(locations(*add), (Lines{"a: fb-4", "b: fb-8"}));
}

// clang names base types as C does ("unsigned long"); with -gpubnames its DWARF 5 has a
// .debug_names index, which the lookup by name uses. gcc's DWARF 4 reads as its DWARF 5 does.
TEST_F(DwarfCTest, ClangAndDwarf4) {
  std::string clang =
      compile(dir_.path(), "clang", "clang", "-O0 -g -gdwarf-5 -gpubnames", kFixture);
  std::string dwarf4 = compile(dir_.path(), "dwarf4", "gcc", "-O2 -g -gdwarf-4", kFixture);
  ASSERT_FALSE(clang.empty() || dwarf4.empty());

  DwarfInfo by_clang = open_dwarf(clang);
  EXPECT_EQ(params_of(by_clang, "ulong_id"), (Lines{"unsigned long v"}));
  EXPECT_EQ(params_of(by_clang, "str_len"), (Lines{"const char* s"}));
  EXPECT_EQ(params_of(by_clang, "unnamed"), (Lines{"int a", "int"}));
  EXPECT_EQ(params_of(by_clang, "mixed"),
            (Lines{"binop f", "int (*)(int) g", "int (*)[4] m", "char** argv", "char* const cp",
                   "volatile long* vl", "double d", "_Bool b", "enum color e", "union num u",
                   "struct point pt", "void* vp", "const void* cvp"}));

  DwarfInfo old = open_dwarf(dwarf4);
  EXPECT_EQ(params_of(old, "use_point"), (Lines{"struct point* p"}));
  EXPECT_EQ(params_of(old, "none"), Lines{});
  auto add = old.function("add");
  ASSERT_TRUE(add);
  EXPECT_EQ(locations(*add), (Lines{"a: reg5", "b: reg4"}));
}

TEST_F(DwarfCTest, NoDebugInfo) {
  std::string prog = compile(dir_.path(), "prog", "gcc", "-O0", kFixture);
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);
  EXPECT_FALSE(dwarf.has_dwarf());
  auto add = dwarf.function("add");
  ASSERT_FALSE(add);
  EXPECT_EQ(add.error().message(), "no DWARF for function 'add'");
}

// C++ member functions: found by their linkage (symbol) names, named in scope, with the
// compiler's `this` first.
TEST(DwarfTest, CppMemberFunctions) {
  testing::ScratchDir dir("utrace_dwarf");
  std::string source = std::string(UTRACE_SOURCE_DIR) + "/tests/runtime/tracees/shapes.cpp";
  std::string prog = compile(dir.path(), "shapes", "g++", "-O1 -g", source);
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);

  auto poke = dwarf.function("_ZN3geo6Widget4pokeEi");
  ASSERT_TRUE(poke) << poke.error().message();
  EXPECT_EQ(poke->name, "poke");
  EXPECT_EQ(poke->linkage_name, "_ZN3geo6Widget4pokeEi");
  EXPECT_EQ(declarations(*poke), (Lines{"struct geo::Widget* const this", "int x"}));
  EXPECT_TRUE(poke->params[0].artificial);
  EXPECT_FALSE(poke->params[1].artificial);
  EXPECT_EQ(locations(*poke), (Lines{"this: reg5", "x: reg4"}));

  auto elf = ElfFile::open(prog);
  ASSERT_TRUE(elf);
  auto symbol = elf->find_symbol("_ZN3geo6Widget4pokeEd");
  ASSERT_TRUE(symbol);
  auto poke_double = dwarf.function_at(symbol->address);
  ASSERT_TRUE(poke_double) << poke_double.error().message();
  EXPECT_EQ(declarations(*poke_double), (Lines{"struct geo::Widget* const this", "double x"}));
  EXPECT_EQ(locations(*poke_double), (Lines{"this: reg5", "x: reg17"}));

  EXPECT_EQ(params_of(dwarf, "_ZN3geo4areaEll"), (Lines{"long int w", "long int h"}));
  EXPECT_EQ(params_of(dwarf, "area"), (Lines{"long int w", "long int h"}));
}

// gcc describes a constructor or destructor once, abstractly, with an artificial __in_chrg that
// its clones (C1/C2, D1/D2) do not take: each clone lists the parameters it does take.
TEST(DwarfTest, CppConstructorAndDestructorClones) {
  testing::ScratchDir dir("utrace_dwarf");
  std::ofstream(dir.path() + "/holder.cpp") << R"(struct Holder {
  long v;
  explicit Holder(long x);
  ~Holder();
};
Holder::Holder(long x) : v(x) {}
Holder::~Holder() { v = 0; }
int main() { Holder h(3); return (int)h.v - 3; }
)";
  std::string prog = compile(dir.path(), "holder", "g++", "-O0 -g", dir.path() + "/holder.cpp");
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);
  EXPECT_EQ(params_of(dwarf, "_ZN6HolderC2El"), (Lines{"struct Holder* const this", "long int x"}));
  EXPECT_EQ(params_of(dwarf, "_ZN6HolderD2Ev"), (Lines{"struct Holder* const this"}));
  // C1 and D1 are ELF aliases of C2 and D2, which DWARF does not name: found by address.
  auto elf = ElfFile::open(prog);
  ASSERT_TRUE(elf);
  for (const char *alias : {"_ZN6HolderC1El", "_ZN6HolderD1Ev"}) {
    EXPECT_FALSE(dwarf.function(alias));
    auto symbol = elf->find_symbol(alias);
    ASSERT_TRUE(symbol);
    auto fn = dwarf.function_at(symbol->address);
    ASSERT_TRUE(fn) << fn.error().message();
    EXPECT_EQ(declarations(*fn).front(), "struct Holder* const this");
  }
}

// C++ functions in namespaces and classes, overloaded, in an anonymous namespace, inlined and
// also kept out of line, and a constructor: what probes name them by.
const char *const kNamesCpp = R"(namespace geo {
struct Widget {
  long id;
  explicit Widget(long i);
  long poke(int x);
  long poke(double x);
};
Widget::Widget(long i) : id(i) {}
long Widget::poke(int x) { return id += x; }
long Widget::poke(double x) { return id += static_cast<long>(x); }
__attribute__((noinline)) long touch(Widget *w) { return w->id; }
namespace {
__attribute__((noinline)) int helper(int x) { return x + 1; }
}  // namespace
// Inlined where it is called, and out of line too for its address.
static int twice(int x) { return 2 * x; }
int (*volatile twice_ptr)(int) = twice;
}  // namespace geo
__attribute__((noinline)) int scale(int x) { return 3 * x; }
__attribute__((noinline)) double scale(double x) { return 3 * x; }
int main(int argc, char **) {
  geo::Widget w(argc);
  return static_cast<int>(w.poke(1) + w.poke(2.0) + geo::touch(&w) + geo::helper(argc) +
                          geo::twice(argc) + geo::twice_ptr(argc) + scale(argc) + scale(1.5));
}
)";

// A function by the names probes give it: its symbol, its demangled name with parameters, and
// its scoped name without them unless that is overloaded; also by DW_AT_name alone, as before.
// g++ and clang++, unoptimized and optimized (where gcc describes functions through abstract
// instances), clang with a .debug_names index.
TEST(DwarfTest, CppFunctionsByDemangledNames) {
  testing::ScratchDir dir("utrace_dwarf");
  std::ofstream(dir.path() + "/names.cpp") << kNamesCpp;
  int variant = 0;
  for (const char *build :
       {"g++ -O0 -g", "g++ -O2 -g", "clang++ -O0 -g", "clang++ -O2 -g -gdwarf-5 -gpubnames"}) {
    SCOPED_TRACE(build);
    std::string compiler(build, std::string_view(build).find(' '));
    std::string prog =
        compile(dir.path(), "names" + std::to_string(variant++), compiler,
                std::string(build).substr(compiler.size() + 1), dir.path() + "/names.cpp");
    ASSERT_FALSE(prog.empty());
    auto elf = ElfFile::open(prog);
    ASSERT_TRUE(elf);
    DwarfInfo dwarf = open_dwarf(prog);
    // The function `name` finds, as "SYMBOL: LAST PARAMETER"; its error's message when none.
    auto found = [&](const std::string &name) -> std::string {
      auto fn = dwarf.function(name);
      if (!fn) return fn.error().message();
      const ElfSymbol *symbol = elf->function_at(fn->address);
      std::string text = symbol != nullptr ? symbol->name : "?";
      if (!fn->params.empty()) text += ": " + declarations(*fn).back();
      return text;
    };
    for (const char *name :
         {"_ZN3geo5touchEPNS_6WidgetE", "geo::touch(geo::Widget*)", "geo::touch", "touch"})
      EXPECT_EQ(found(name), "_ZN3geo5touchEPNS_6WidgetE: struct geo::Widget* w") << name;
    EXPECT_EQ(found("geo::Widget::poke(int)"), "_ZN3geo6Widget4pokeEi: int x");
    EXPECT_EQ(found("geo::Widget::poke(double)"), "_ZN3geo6Widget4pokeEd: double x");
    EXPECT_EQ(found("geo::Widget::poke"),
              "geo::Widget::poke is overloaded: name one, as in geo::Widget::poke(int)");
    EXPECT_EQ(found("scale(double)"), "_Z5scaled: double x");
    EXPECT_EQ(found("scale"), "scale is overloaded: name one, as in scale(int)");
    // gcc gives these no linkage name, so DWARF knows them by their scoped names only (the
    // catalog below finds them with parameters too, through their symbols).
    EXPECT_EQ(found("geo::(anonymous namespace)::helper"), "_ZN3geo12_GLOBAL__N_16helperEi: int x");
    EXPECT_EQ(found("geo::twice"), "_ZN3geoL5twiceEi: int x");
    // C1 and C2 are one function: neither an overload nor a second DIE.
    auto constructor = found("geo::Widget::Widget");
    EXPECT_NE(constructor.find("_ZN3geo6WidgetC"), std::string::npos) << constructor;
    EXPECT_EQ(found("geo::nothing"), "no DWARF for function 'geo::nothing'");
    EXPECT_EQ(found("geo::Widget::poke(long)"), "no DWARF for function 'geo::Widget::poke(long)'");

    // The catalog analysis asks passes them on.
    ElfBinaryCatalog catalog(0);
    auto touch = catalog.function(prog, "geo::touch");
    ASSERT_TRUE(touch) << touch.error().message();
    ASSERT_EQ(touch->params.size(), 1u);
    EXPECT_EQ(touch->params[0].name, "w");
    auto poke = catalog.function(prog, "geo::Widget::poke");
    ASSERT_FALSE(poke);
    EXPECT_EQ(poke.error().message(),
              "geo::Widget::poke is overloaded: name one, as in geo::Widget::poke(int)");
    for (const char *name : {"geo::Widget::poke(double)", "geo::(anonymous namespace)::helper(int)",
                             "geo::twice(int)"}) {
      auto facts = catalog.function(prog, name);
      ASSERT_TRUE(facts) << name << ": " << facts.error().message();
      EXPECT_EQ(facts->params.back().name, "x") << name;
    }
    auto missing = catalog.function(prog, "geo::twice(long)");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message(), "no DWARF for function 'geo::twice(long)'");
  }
}

// Go: inputs listed, results (variable parameters) left out, types by their Go names; under
// the register ABI a string arrives in two registers and a slice in three.
TEST(DwarfTest, GoFunctions) {
  DwarfInfo dwarf = open_dwarf(DWARF_GO_FIXTURE);
  ASSERT_TRUE(dwarf.has_dwarf());
  auto scale = dwarf.function("main.scale");
  ASSERT_TRUE(scale) << scale.error().message();
  EXPECT_EQ(declarations(*scale), (Lines{"*main.T t", "int k", "string name", "[]int xs"}));
  EXPECT_EQ(layouts(*scale),
            (Lines{"t: pointer 8", "k: int 8 signed", "name: struct 16", "xs: struct 24"}));
  EXPECT_EQ(locations(*scale),
            (Lines{"t: reg0", "k: reg3", "name: reg2:8 reg5:8", "xs: reg4:8 reg8:8 reg9:8"}));
  EXPECT_EQ(scale->frame_base.kind, DwarfFrameBase::Kind::Cfa);

  EXPECT_EQ(params_of(dwarf, "main.(*T).Sum"), (Lines{"*main.T t"}));
  EXPECT_EQ(params_of(dwarf, "main.nothing"), Lines{});

  auto elf = ElfFile::open(DWARF_GO_FIXTURE);
  ASSERT_TRUE(elf);
  auto symbol = elf->find_symbol("main.scale");
  ASSERT_TRUE(symbol);
  auto at = dwarf.function_at(symbol->address);
  ASSERT_TRUE(at) << at.error().message();
  EXPECT_EQ(at->name, "main.scale");
}

// Members of struct types by the type's name: C's (a union's members at 0), Go's qualified.
TEST_F(DwarfCTest, MemberOffsets) {
  std::string prog = compile(dir_.path(), "prog", "gcc", "-O0 -g", kFixture);
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);
  auto y = dwarf.member_offset("point", "y");
  ASSERT_TRUE(y) << y.error().message();
  EXPECT_EQ(*y, 4u);
  auto f = dwarf.member_offset("num", "f");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(*f, 0u);
  auto z = dwarf.member_offset("point", "z");
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().message(), "type 'point' has no member 'z'");
  auto missing = dwarf.member_offset("line", "x");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "no DWARF for type 'line'");

  std::vector<DwarfUnit> units = dwarf.units();
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0].name, kFixture);
  EXPECT_EQ(units[0].language, "C");
  EXPECT_EQ(units[0].producer.rfind("GNU C", 0), 0u) << units[0].producer;

  DwarfInfo go = open_dwarf(DWARF_GO_FIXTURE);
  auto b = go.member_offset("main.T", "b");
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(*b, 8u);
  // The goroutine id's place in the runtime's goroutine struct (what utrace's goid reads).
  EXPECT_TRUE(go.member_offset("runtime.g", "goid"));
  bool has_main = false;
  for (const DwarfUnit &unit : go.units()) {
    EXPECT_EQ(unit.language, "Go") << unit.name;
    if (unit.name != "main") continue;
    has_main = true;
    EXPECT_EQ(unit.producer.rfind("Go cmd/compile go1.", 0), 0u) << unit.producer;
  }
  EXPECT_TRUE(has_main);
}

// A stripped library's DWARF comes from its separate debug file (Debian's libc6-dbg).
TEST(DwarfTest, LibcThroughItsDebugFile) {
  std::string libc = std::filesystem::canonical("/lib/x86_64-linux-gnu/libc.so.6").string();
  auto elf = ElfFile::open(libc);
  ASSERT_TRUE(elf);
  ASSERT_TRUE(elf->is_stripped());
  DwarfInfo dwarf = open_dwarf(libc);
  ASSERT_TRUE(dwarf.has_dwarf());
  EXPECT_EQ(dwarf.path(), "/usr/lib/debug/.build-id/" + elf->build_id().substr(0, 2) + "/" +
                              elf->build_id().substr(2) + ".debug");
  auto read = elf->find_symbol("read");
  ASSERT_TRUE(read);
  auto fn = dwarf.function_at(read->address);
  ASSERT_TRUE(fn) << fn.error().message();
  EXPECT_EQ(declarations(*fn), (Lines{"int fd", "void* buf", "size_t nbytes"}));
  EXPECT_EQ(layouts(*fn), (Lines{"fd: int 4 signed", "buf: pointer 8", "nbytes: int 8"}));
}

}  // namespace
}  // namespace ut::runtime
