// The traced program's types as utrace types (runtime/binary/dwarf_types.cpp), through
// DwarfInfo, ElfBinaryCatalog and function_facts(): C compiled here by gcc (DWARF 5, 4 and 2)
// and clang, C++ by g++, and the Go fixture the build makes (fixtures/dwarf_params.go).
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/binary/binary_catalog.h"
#include "runtime/binary/dwarf.h"
#include "runtime/binary/function_facts.h"
#include "tests/unit/scratch_dir.h"

namespace ut::runtime {
namespace {

using codegen::Record;
using codegen::Type;
using Lines = std::vector<std::string>;

// Records of every kind C has, used by globals so that gcc describes them all. struct Hidden is
// only declared here: hidden.c defines it.
const char *const kTypesC = R"(#include <stdint.h>
struct Point { int x; int y; };
struct Line { struct Point a; struct Point b; char name[16]; unsigned int flags : 3; int arr[4];
              short m[2][2]; };
union Value { int i; long l; char bytes[8]; };
struct Anon {
  int tag;
  union { int i; struct { short lo, hi; }; };
  struct { char c; } named;
};
struct Bits {
  unsigned char a : 3;
  unsigned char b : 4;
  int c : 12;
  long long d : 40;
  _Bool e : 1;
  signed char f;
};
struct node { int v; struct node *next; };
enum color { RED = -1, GREEN };
enum level { LOW, HIGH };
struct Misc {
  const char *label;
  void *opaque;
  double ratio;
  int (*cb)(int);
  enum color c;
  enum level lv;
  _Bool ok;
  char grid[2][8];
  uint8_t bytes[4];
  int tail[];
};
struct __attribute__((packed)) Packed { char c; int i; };
struct __attribute__((aligned(16))) Aligned { int i; };
typedef struct Point point_t;
typedef struct { int w, h; } dims_t;
typedef unsigned long long u64_t;
typedef struct Opaque opaque_t;
typedef struct Hidden hidden_t;

int g32 = -7;
short gs;
extern int table[];
int table[5];
struct Line gline;
union Value gvalue;
struct Anon ganon;
struct Bits gbits;
struct node gnode;
struct Misc *gmisc;
struct Packed gpacked;
struct Aligned galigned;
point_t gpoint;
dims_t gdims;
u64_t gu64;
opaque_t *gopaque;
hidden_t *ghidden;

int use_line(struct Line *l) { return l->a.x + (int)l->flags; }
int main(void) { return use_line(&gline) + g32 + gs + table[0]; }
)";

const char *const kHiddenC = R"(struct Hidden { long secret; };
struct Hidden hidden_instance;
)";

const char *const kWidgetCpp = R"(namespace geo {
struct Base { long id; };
class Widget : public Base {
 public:
  int w = 1;
  short h = 2;
  static int count;
  Widget *next = nullptr;
  int area() const { return w * h; }
};
int Widget::count = 4;
int total = 3;
namespace inner {
typedef long meters;
meters span = 9;
}  // namespace inner
}  // namespace geo
geo::Widget widget;
int main() { return widget.area() + geo::total + geo::Widget::count + (int)geo::inner::span; }
)";

// Writes `sources` (name, text) into `dir` and builds them with `command` ("gcc -g"); the
// program's path, or "" when the compiler fails.
std::string build(const std::string &dir, const std::string &command,
                  const std::vector<std::pair<std::string, std::string>> &sources,
                  const std::string &name) {
  std::string line = command + " -o '" + dir + "/" + name + "'";
  for (const auto &[file, text] : sources) {
    std::ofstream(dir + "/" + file) << text;
    line += " '" + dir + "/" + file + "'";
  }
  return std::system(line.c_str()) == 0 ? dir + "/" + name : "";
}

DwarfInfo open_dwarf(const std::string &path) {
  auto elf = ElfFile::open(path);
  EXPECT_TRUE(elf) << path;
  auto dwarf = DwarfInfo::open(*elf, path);
  EXPECT_TRUE(dwarf && dwarf->has_dwarf()) << path;
  return std::move(dwarf).value();
}

// A record as lines: "NAME size S align A", then each field as "NAME @OFFSET TYPE", a bitfield
// as "NAME @OFFSET.SHIFT:WIDTH TYPE", an anonymous member as "<anon>".
Lines layout(const Type &type) {
  if (!type.is_record() || !type.record) return {"not a record: " + type.str()};
  const Record &r = *type.record;
  Lines out{type.str() + " size " + std::to_string(r.size) + " align " + std::to_string(r.align) +
            (r.complete ? "" : " (by name only)")};
  for (const codegen::RecordField &f : r.fields) {
    std::string at = "@" + std::to_string(f.offset);
    if (f.is_bitfield())
      at += "." + std::to_string(f.bit_shift) + ":" + std::to_string(f.bit_width);
    out.push_back((f.name.empty() ? "<anon>" : f.name) + " " + at + " " + f.type.str());
  }
  return out;
}

Lines layout_of(DwarfInfo &dwarf, const std::string &name) {
  auto type = dwarf.named_type(name);
  if (!type) return {"no type " + name};
  return layout(*type);
}

std::string type_str(const std::optional<Type> &type) {
  return type ? type->str() : "nullopt";
}

const Lines kLine{
    "struct Line size 60 align 4",  "a @0 struct Point", "b @8 struct Point", "name @16 string[16]",
    "flags @32.0:3 unsigned int32", "arr @36 int32[4]",  "m @52 int16[2][2]"};
// Where each bitfield's lowest bit is, as a program that sets each to all ones finds it: a at
// bit 0, b at 3, c at 7, d at 19, e at 59.
const Lines kBits{"struct Bits size 16 align 8",
                  "a @0.0:3 unsigned int8",
                  "b @0.3:4 unsigned int8",
                  "c @0.7:12 int32",
                  "d @2.3:40 int64",
                  "e @7.3:1 unsigned int8",
                  "f @8 int8"};

class DwarfTypesC : public ::testing::Test {
 protected:
  std::string program(const std::string &compiler_flags, const std::string &name) {
    return build(dir_.path(), compiler_flags, {{"types.c", kTypesC}, {"hidden.c", kHiddenC}}, name);
  }
  testing::ScratchDir dir_{"utrace_dwarf_types"};
};

TEST_F(DwarfTypesC, StructsAndUnions) {
  std::string prog = program("gcc -O0 -g", "types");
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);

  EXPECT_EQ(layout_of(dwarf, "struct Line"), kLine);
  auto line = dwarf.named_type("struct Line");
  ASSERT_TRUE(line);
  EXPECT_EQ(layout(line->record->fields[0].type),
            (Lines{"struct Point size 8 align 4", "x @0 int32", "y @4 int32"}));
  EXPECT_EQ(layout_of(dwarf, "  struct   Line "), kLine);

  EXPECT_EQ(layout_of(dwarf, "union Value"), (Lines{"union Value size 8 align 8", "i @0 int32",
                                                    "l @0 int64", "bytes @0 string[8]"}));
  EXPECT_TRUE(dwarf.named_type("union Value")->record->is_union);
  EXPECT_FALSE(line->record->is_union);

  EXPECT_EQ(layout_of(dwarf, "struct Bits"), kBits);

  // Packed: the members' alignment does not divide its size. Aligned: DWARF 5 says so.
  EXPECT_EQ(layout_of(dwarf, "struct Packed"),
            (Lines{"struct Packed size 5 align 1", "c @0 int8", "i @1 int32"}));
  EXPECT_EQ(layout_of(dwarf, "struct Aligned"),
            (Lines{"struct Aligned size 16 align 16", "i @0 int32"}));
}

// Anonymous members keep no name, and Record::find reaches through them.
TEST_F(DwarfTypesC, AnonymousMembers) {
  std::string prog = program("gcc -O0 -g", "types");
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);
  auto anon = dwarf.named_type("struct Anon");
  ASSERT_TRUE(anon);
  EXPECT_EQ(layout(*anon), (Lines{"struct Anon size 12 align 4", "tag @0 int32",
                                  "<anon> @4 union <anonymous>", "named @8 struct <anonymous>"}));
  EXPECT_EQ(
      layout(anon->record->fields[1].type),
      (Lines{"union <anonymous> size 4 align 4", "i @0 int32", "<anon> @0 struct <anonymous>"}));
  EXPECT_EQ(anon->record->member_names(), (Lines{"tag", "i", "lo", "hi", "named"}));
  auto hi = anon->record->find("hi");
  ASSERT_TRUE(hi);
  EXPECT_EQ(hi->offset, 6u);
  EXPECT_EQ(hi->type, Type::integer(16));
}

// Pointers, enums, bools, arrays of chars and of bytes, and what utrace cannot hold.
TEST_F(DwarfTypesC, MembersOfEveryKind) {
  std::string prog = program("gcc -O0 -g", "types");
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);
  EXPECT_EQ(layout_of(dwarf, "struct Misc"),
            (Lines{"struct Misc size 64 align 8", "label @0 int8 *", "opaque @8 unsigned int8 *",
                   "ratio @16 none", "cb @24 none *", "c @32 int32", "lv @36 unsigned int32",
                   "ok @40 unsigned int8", "grid @41 string[8][2]", "bytes @57 unsigned int8[4]",
                   "tail @64 int32[0]"}));
  EXPECT_EQ(type_str(dwarf.named_type("enum color")), "int32");
  EXPECT_EQ(type_str(dwarf.named_type("enum level")), "unsigned int32");
}

// A struct that points to itself: behind the pointer, a record known by name only.
TEST_F(DwarfTypesC, SelfReference) {
  std::string prog = program("gcc -O0 -g", "types");
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);
  auto node = dwarf.named_type("struct node");
  ASSERT_TRUE(node);
  EXPECT_EQ(layout(*node),
            (Lines{"struct node size 16 align 8", "v @0 int32", "next @8 struct node *"}));
  const Type &next = node->record->fields[1].type;
  ASSERT_TRUE(next.is_record_pointer());
  EXPECT_EQ(layout(next.elements[0]), (Lines{"struct node size 16 align 8 (by name only)"}));
  EXPECT_EQ(next.elements[0], *node);  // by name
}

// Typedefs are looked through: to a named struct, an anonymous one, an integer; to a struct
// declared here and defined in another compile unit, the definition; to one defined nowhere, a
// record known by name only. "struct NAME" finds definitions only.
TEST_F(DwarfTypesC, Typedefs) {
  std::string prog = program("gcc -O0 -g", "types");
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);
  EXPECT_EQ(layout_of(dwarf, "point_t"),
            (Lines{"struct Point size 8 align 4", "x @0 int32", "y @4 int32"}));
  EXPECT_EQ(layout_of(dwarf, "dims_t"),
            (Lines{"struct <anonymous> size 8 align 4", "w @0 int32", "h @4 int32"}));
  EXPECT_EQ(type_str(dwarf.named_type("u64_t")), "unsigned int64");
  EXPECT_EQ(type_str(dwarf.named_type("int")), "int32");
  EXPECT_EQ(layout_of(dwarf, "hidden_t"),
            (Lines{"struct Hidden size 8 align 8", "secret @0 int64"}));
  EXPECT_EQ(layout_of(dwarf, "opaque_t"), (Lines{"struct Opaque size 0 align 1 (by name only)"}));
  EXPECT_FALSE(dwarf.named_type("struct Opaque"));
  EXPECT_FALSE(dwarf.named_type("struct point_t"));
  EXPECT_FALSE(dwarf.named_type("Point"));
  EXPECT_FALSE(dwarf.named_type("union Line"));
}

// Globals' types; a definition wins over the declaration before it (`extern int table[];`).
TEST_F(DwarfTypesC, Variables) {
  std::string prog = program("gcc -O0 -g", "types");
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);
  EXPECT_EQ(type_str(dwarf.variable_type("g32")), "int32");
  EXPECT_EQ(type_str(dwarf.variable_type("gs")), "int16");
  EXPECT_EQ(type_str(dwarf.variable_type("table")), "int32[5]");
  EXPECT_EQ(type_str(dwarf.variable_type("gmisc")), "struct Misc *");
  EXPECT_EQ(type_str(dwarf.variable_type("hidden_instance")), "struct Hidden");
  auto line = dwarf.variable_type("gline");
  ASSERT_TRUE(line);
  EXPECT_EQ(layout(*line), kLine);
  EXPECT_FALSE(dwarf.variable_type("no_such_variable"));
  EXPECT_FALSE(dwarf.variable_type("use_line"));  // a function
}

// Bitfields as DWARF 4 and 2 state them (DW_AT_bit_offset from the storage unit's top bit;
// DWARF 2's member locations as expressions) and as clang states them read as gcc's DWARF 5.
TEST_F(DwarfTypesC, BitfieldsInEveryDwarfVersion) {
  for (const char *flags :
       {"gcc -O0 -g -gdwarf-4", "gcc -O0 -g -gdwarf-2 -gstrict-dwarf", "clang -O0 -g"}) {
    std::string prog = program(flags, "types");
    ASSERT_FALSE(prog.empty()) << flags;
    DwarfInfo dwarf = open_dwarf(prog);
    EXPECT_EQ(layout_of(dwarf, "struct Bits"), kBits) << flags;
    EXPECT_EQ(layout_of(dwarf, "struct Line"), kLine) << flags;
  }
}

TEST_F(DwarfTypesC, Catalog) {
  std::string prog = program("gcc -O0 -g", "types");
  std::string bare = program("gcc -O0", "bare");
  ASSERT_FALSE(prog.empty() || bare.empty());
  ElfBinaryCatalog catalog(0);
  auto line = catalog.type(prog, "struct Line");
  ASSERT_TRUE(line) << line.error().message();
  EXPECT_EQ(layout(*line), kLine);
  auto missing = catalog.type(prog, "struct Q");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "no type 'struct Q' in " + prog);
  auto no_dwarf = catalog.type(bare, "struct Line");
  ASSERT_FALSE(no_dwarf);
  EXPECT_EQ(no_dwarf.error().message(), "no DWARF in " + bare);
  EXPECT_FALSE(catalog.type(dir_.path() + "/none", "struct Line"));

  EXPECT_EQ(type_str(catalog.variable_type(prog, "g32")), "int32");
  EXPECT_EQ(type_str(catalog.variable_type(prog, "gs")), "int16");
  EXPECT_FALSE(catalog.variable_type(prog, "nothing"));
  EXPECT_FALSE(catalog.variable_type(bare, "g32"));
}

// Parameters get their utrace types: a pointer to a struct points to one known by name only.
TEST_F(DwarfTypesC, ValueFactsType) {
  std::string prog = program("gcc -O0 -g", "types");
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);
  auto fn = dwarf.function("use_line");
  ASSERT_TRUE(fn);
  codegen::FunctionFacts facts = function_facts(dwarf, *fn, CallingConvention::SystemV);
  ASSERT_EQ(facts.params.size(), 1u);
  const Type &l = facts.params[0].type;
  ASSERT_TRUE(l.is_record_pointer()) << l.str();
  EXPECT_EQ(layout(l.elements[0]), (Lines{"struct Line size 60 align 4 (by name only)"}));
  // The members -lv lists get theirs too.
  ASSERT_EQ(facts.params[0].members.size(), 6u);
  EXPECT_EQ(facts.params[0].members[2].type, Type::string(16));
}

// C++: structs and classes by their scoped names (or without scopes), base classes as
// anonymous members, static members and methods left out; variables in namespaces by scoped
// and linkage names.
TEST(DwarfTypesCpp, ClassInNamespace) {
  testing::ScratchDir dir("utrace_dwarf_types");
  std::string prog = build(dir.path(), "g++ -O0 -g", {{"widget.cpp", kWidgetCpp}}, "widget");
  ASSERT_FALSE(prog.empty());
  DwarfInfo dwarf = open_dwarf(prog);
  const Lines widget{"struct geo::Widget size 24 align 8", "<anon> @0 struct geo::Base",
                     "w @8 int32", "h @12 int16", "next @16 struct geo::Widget *"};
  EXPECT_EQ(layout_of(dwarf, "struct geo::Widget"), widget);
  EXPECT_EQ(layout_of(dwarf, "class geo::Widget"), widget);
  EXPECT_EQ(layout_of(dwarf, "struct Widget"), widget);
  auto w = dwarf.named_type("struct geo::Widget");
  ASSERT_TRUE(w);
  auto id = w->record->find("id");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->offset, 0u);
  EXPECT_EQ(type_str(dwarf.named_type("geo::inner::meters")), "int64");

  EXPECT_EQ(type_str(dwarf.variable_type("geo::total")), "int32");
  EXPECT_EQ(type_str(dwarf.variable_type("_ZN3geo5totalE")), "int32");
  EXPECT_EQ(type_str(dwarf.variable_type("total")), "int32");
  EXPECT_EQ(type_str(dwarf.variable_type("geo::Widget::count")), "int32");
  EXPECT_EQ(type_str(dwarf.variable_type("_ZN3geo6Widget5countE")), "int32");
  EXPECT_EQ(type_str(dwarf.variable_type("geo::inner::span")), "int64");
  EXPECT_EQ(type_str(dwarf.variable_type("widget")), "struct geo::Widget");
}

// Go: structs named by their packages, its strings and slices as the structs its DWARF makes
// them, package variables by their qualified names.
TEST(DwarfTypesGo, StructsAndVariables) {
  DwarfInfo dwarf = open_dwarf(DWARF_GO_FIXTURE);
  const Lines some{"struct main.SomeStruct size 56 align 8",
                   "ID @0 int32",
                   "Flag @4 unsigned int8",
                   "Name @8 struct string",
                   "Next @24 struct main.SomeStruct *",
                   "Vals @32 unsigned int16[3]",
                   "Inner @40 struct main.T"};
  EXPECT_EQ(layout_of(dwarf, "struct main.SomeStruct"), some);
  EXPECT_EQ(layout_of(dwarf, "main.SomeStruct"), some);  // Go's typedef of it
  EXPECT_EQ(layout_of(dwarf, "struct string"),
            (Lines{"struct string size 16 align 8", "str @0 unsigned int8 *", "len @8 int64"}));
  EXPECT_EQ(type_str(dwarf.variable_type("main.counter")), "int64");
  auto var = dwarf.variable_type("main.some");
  ASSERT_TRUE(var);
  EXPECT_EQ(layout(*var), some);

  auto scale = dwarf.function("main.scale");
  ASSERT_TRUE(scale);
  codegen::FunctionFacts facts = function_facts(dwarf, *scale, CallingConvention::GoRegisters);
  Lines types;
  for (const codegen::ValueFacts &v : facts.params) types.push_back(v.name + ": " + v.type.str());
  for (const codegen::ValueFacts &v : facts.results) types.push_back(v.name + ": " + v.type.str());
  EXPECT_EQ(types, (Lines{"t: struct main.T *", "k: int64", "name: struct string",
                          "xs: struct []int", "~r0: int64", "~r1: struct runtime.iface"}));
}

}  // namespace
}  // namespace ut::runtime
