// The layouts libclang gives a script's C definitions. The expected sizes and offsets are gcc's
// for the same C (checked with offsetof, and for bitfields by setting each one's bits).
#include "ctypes/c_definitions.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include "tests/unit/scratch_dir.h"

namespace ut::ctypes {
namespace {

using codegen::CDefinitions;
using codegen::Record;
using codegen::RecordField;
using codegen::Type;

// The C definitions of a script, laid out, and the errors as the user sees them.
struct Laid {
  explicit Laid(std::string text, LayoutOptions options = {}) : src{"t.bt", std::move(text)} {
    defs = layout_c_definitions(src.text, options, diags);
  }

  std::string errors() const {
    std::string out;
    for (const Diagnostic &d : diags.all()) out += render(d, src);
    return out;
  }

  // The record named `name`; fails the test when there is none.
  const Record &record(const std::string &name) const {
    auto it = defs.records.find(name);
    if (it == defs.records.end() || !it->second) {
      ADD_FAILURE() << "no " << name;
      static const Record kNone;
      return kNone;
    }
    return *it->second;
  }

  SourceFile src;
  Diagnostics diags;
  CDefinitions defs;
};

RecordField field(std::string name, Type type, uint32_t offset) {
  RecordField f;
  f.name = std::move(name);
  f.type = std::move(type);
  f.offset = offset;
  return f;
}

RecordField bitfield(std::string name, Type type, uint32_t offset, uint32_t shift, uint32_t width) {
  RecordField f = field(std::move(name), std::move(type), offset);
  f.bit_shift = shift;
  f.bit_width = width;
  return f;
}

const Type kInt8 = Type::integer(8, true);
const Type kUint8 = Type::integer(8, false);
const Type kInt16 = Type::integer(16, true);
const Type kUint16 = Type::integer(16, false);
const Type kInt32 = Type::integer(32, true);
const Type kUint32 = Type::integer(32, false);
const Type kInt64 = Type::integer(64, true);
const Type kUint64 = Type::integer(64, false);

const char kLine[] =
    "struct Point { int x; int y; };\n"
    "struct Line { struct Point a; struct Point b; char name[16]; unsigned int flags : 3;\n"
    "              int arr[4]; short m[2][2]; };\n";

TEST(CDefinitions, Point) {
  Laid c(kLine);
  ASSERT_EQ(c.errors(), "");
  const Record &point = c.record("struct Point");
  EXPECT_EQ(point.name, "struct Point");
  EXPECT_FALSE(point.is_union);
  EXPECT_TRUE(point.complete);
  EXPECT_EQ(point.size, 8u);
  EXPECT_EQ(point.align, 4u);
  EXPECT_EQ(point.fields, (std::vector<RecordField>{field("x", kInt32, 0), field("y", kInt32, 4)}));
}

TEST(CDefinitions, LineIsSixtyBytesAsBpftraceMeasuresIt) {
  Laid c(kLine);
  ASSERT_EQ(c.errors(), "");
  const Record &line = c.record("struct Line");
  EXPECT_EQ(line.size, 60u);
  EXPECT_EQ(line.align, 4u);
  Type point = Type::of_record(c.defs.records.at("struct Point"));
  EXPECT_EQ(line.fields, (std::vector<RecordField>{
                             field("a", point, 0),
                             field("b", point, 8),
                             field("name", Type::string(16), 16),
                             bitfield("flags", kUint32, 32, 0, 3),
                             field("arr", Type::array(kInt32, 4), 36),
                             field("m", Type::array(Type::array(kInt16, 2), 2), 52),
                         }));
  // One Record per name: the members hold the very record the table does.
  EXPECT_EQ(line.fields[0].type.record, c.defs.records.at("struct Point"));
  EXPECT_EQ(line.fields[1].type.record, c.defs.records.at("struct Point"));
}

TEST(CDefinitions, BitfieldsShareUnitsAndCrossBytes) {
  Laid c(
      "struct Flags {\n"
      "  unsigned char tag;\n"
      "  unsigned int a : 3;\n"
      "  signed int b : 7;\n"
      "  unsigned int c : 14;\n"
      "  int d : 1;\n"
      "  int : 0;\n"
      "  unsigned long long e : 40;\n"
      "};\n");
  ASSERT_EQ(c.errors(), "");
  const Record &flags = c.record("struct Flags");
  EXPECT_EQ(flags.size, 16u);
  EXPECT_EQ(flags.align, 8u);
  // The unnamed `int : 0` is padding, not a member.
  EXPECT_EQ(flags.fields, (std::vector<RecordField>{
                              field("tag", kUint8, 0),
                              bitfield("a", kUint32, 1, 0, 3),
                              bitfield("b", kInt32, 1, 3, 7),
                              bitfield("c", kUint32, 2, 2, 14),
                              bitfield("d", kInt32, 4, 0, 1),
                              bitfield("e", kUint64, 8, 0, 40),
                          }));
}

TEST(CDefinitions, Unions) {
  Laid c("union Value { int i; char bytes[8]; unsigned long long u; short s; };\n");
  ASSERT_EQ(c.errors(), "");
  const Record &value = c.record("union Value");
  EXPECT_EQ(value.name, "union Value");
  EXPECT_TRUE(value.is_union);
  EXPECT_EQ(value.size, 8u);
  EXPECT_EQ(value.align, 8u);
  EXPECT_EQ(value.fields,
            (std::vector<RecordField>{field("i", kInt32, 0), field("bytes", Type::string(8), 0),
                                      field("u", kUint64, 0), field("s", kInt16, 0)}));
}

TEST(CDefinitions, AnonymousMembersAreReachedThrough) {
  Laid c(
      "struct Packet {\n"
      "  int kind;\n"
      "  union { int i; long l; };\n"
      "  struct { short lo; short hi; };\n"
      "  struct { char c; } named;\n"
      "};\n");
  ASSERT_EQ(c.errors(), "");
  const Record &packet = c.record("struct Packet");
  EXPECT_EQ(packet.size, 24u);
  ASSERT_EQ(packet.fields.size(), 4u);
  EXPECT_EQ(packet.fields[0], field("kind", kInt32, 0));

  const RecordField &anon_union = packet.fields[1];
  EXPECT_EQ(anon_union.name, "");
  EXPECT_EQ(anon_union.offset, 8u);
  ASSERT_TRUE(anon_union.type.is_record());
  EXPECT_EQ(anon_union.type.record->name, "");
  EXPECT_TRUE(anon_union.type.record->is_union);
  EXPECT_EQ(anon_union.type.record->size, 8u);

  const RecordField &anon_struct = packet.fields[2];
  EXPECT_EQ(anon_struct.name, "");
  EXPECT_EQ(anon_struct.offset, 16u);
  ASSERT_TRUE(anon_struct.type.is_record());
  EXPECT_FALSE(anon_struct.type.record->is_union);
  EXPECT_EQ(anon_struct.type.record->fields,
            (std::vector<RecordField>{field("lo", kInt16, 0), field("hi", kInt16, 2)}));

  const RecordField &named = packet.fields[3];
  EXPECT_EQ(named.name, "named");
  EXPECT_EQ(named.offset, 20u);
  ASSERT_TRUE(named.type.is_record());
  EXPECT_EQ(named.type.record->name, "");
  EXPECT_EQ(named.type.record->size, 1u);

  EXPECT_EQ(packet.member_names(),
            (std::vector<std::string>{"kind", "i", "l", "lo", "hi", "named"}));
  ASSERT_TRUE(packet.find("l"));
  EXPECT_EQ(packet.find("l")->offset, 8u);
  ASSERT_TRUE(packet.find("hi"));
  EXPECT_EQ(packet.find("hi")->offset, 18u);
  // Anonymous records have no name to be looked up by.
  EXPECT_EQ(c.defs.records.size(), 1u);
}

TEST(CDefinitions, PackedAndAlignedAttributes) {
  Laid c(
      "struct __attribute__((packed)) Packed { char c; int i; long long l; };\n"
      "struct Aligned { char c; int i __attribute__((aligned(16))); };\n");
  ASSERT_EQ(c.errors(), "");
  const Record &packed = c.record("struct Packed");
  EXPECT_EQ(packed.size, 13u);
  EXPECT_EQ(packed.align, 1u);
  EXPECT_EQ(packed.fields, (std::vector<RecordField>{field("c", kInt8, 0), field("i", kInt32, 1),
                                                     field("l", kInt64, 5)}));
  const Record &aligned = c.record("struct Aligned");
  EXPECT_EQ(aligned.size, 32u);
  EXPECT_EQ(aligned.align, 16u);
  EXPECT_EQ(aligned.fields[1], field("i", kInt32, 16));
}

TEST(CDefinitions, ANamedRecordBehindAPointerIsKnownByName) {
  Laid c(
      "struct Node { int value; struct Node *next; struct Node *prev; };\n"
      "struct Opaque;\n"
      "struct Holder { struct Opaque *o; void *v; void (*fn)(int); struct { int z; } *anon;\n"
      "                char **argv; };\n");
  ASSERT_EQ(c.errors(), "");
  const Record &node = c.record("struct Node");
  EXPECT_TRUE(node.complete);
  EXPECT_EQ(node.size, 24u);
  ASSERT_EQ(node.fields.size(), 3u);
  const Type &next = node.fields[1].type;
  ASSERT_TRUE(next.is_record_pointer());
  const Record &stub = *next.elements[0].record;
  EXPECT_EQ(stub.name, "struct Node");
  EXPECT_FALSE(stub.complete);
  EXPECT_TRUE(stub.fields.empty());
  EXPECT_EQ(stub.size, 24u);  // defined, so libclang knows its size
  EXPECT_EQ(node.fields[1].offset, 8u);
  EXPECT_EQ(node.fields[2].offset, 16u);
  EXPECT_EQ(node.fields[2].type.elements[0].record, next.elements[0].record);

  const Record &holder = c.record("struct Holder");
  ASSERT_EQ(holder.fields.size(), 5u);
  const Type &opaque = holder.fields[0].type;
  ASSERT_TRUE(opaque.is_record_pointer());
  EXPECT_EQ(opaque.elements[0].record->name, "struct Opaque");
  EXPECT_FALSE(opaque.elements[0].record->complete);
  EXPECT_EQ(opaque.elements[0].record->size, 0u);  // never defined
  EXPECT_EQ(holder.fields[1], field("v", Type::pointer(kUint8), 8));
  EXPECT_EQ(holder.fields[2], field("fn", Type::pointer(kUint8), 16));
  // An anonymous record has no name to look up later, so the pointer holds all of it.
  const Type &anon = holder.fields[3].type;
  ASSERT_TRUE(anon.is_record_pointer());
  EXPECT_TRUE(anon.elements[0].record->complete);
  EXPECT_EQ(anon.elements[0].record->fields, (std::vector<RecordField>{field("z", kInt32, 0)}));
  EXPECT_EQ(holder.fields[4], field("argv", Type::pointer(Type::pointer(kInt8)), 32));
  EXPECT_EQ(c.defs.records.count("struct Opaque"), 0u);
}

TEST(CDefinitions, Typedefs) {
  Laid c(
      "struct Point { int x; int y; };\n"
      "typedef struct { int q; char c; } pair_t;\n"
      "typedef unsigned long u64;\n"
      "typedef struct Point point_t;\n"
      "typedef point_t *point_p;\n"
      "struct UsesTypedefs { u64 big; pair_t p; point_t pt; };\n");
  ASSERT_EQ(c.errors(), "");
  const Type &pair = c.defs.typedefs.at("pair_t");
  ASSERT_TRUE(pair.is_record());
  EXPECT_EQ(pair.record->name, "");
  EXPECT_TRUE(pair.record->complete);
  EXPECT_EQ(pair.record->size, 8u);
  EXPECT_EQ(pair.record->fields,
            (std::vector<RecordField>{field("q", kInt32, 0), field("c", kInt8, 4)}));
  EXPECT_EQ(c.defs.typedefs.at("u64"), kUint64);
  EXPECT_EQ(c.defs.typedefs.at("point_t").record, c.defs.records.at("struct Point"));
  const Type &point_p = c.defs.typedefs.at("point_p");
  ASSERT_TRUE(point_p.is_record_pointer());
  EXPECT_EQ(point_p.elements[0].record->name, "struct Point");

  const Record &uses = c.record("struct UsesTypedefs");
  EXPECT_EQ(uses.size, 24u);
  ASSERT_EQ(uses.fields.size(), 3u);
  EXPECT_EQ(uses.fields[0], field("big", kUint64, 0));
  EXPECT_EQ(uses.fields[1].offset, 8u);
  EXPECT_EQ(uses.fields[1].type.record, pair.record);  // the typedef's record, shared
  EXPECT_EQ(uses.fields[2].offset, 16u);
  EXPECT_EQ(uses.fields[2].type.record, c.defs.records.at("struct Point"));
  // The anonymous struct is no record by name.
  EXPECT_EQ(c.defs.records.size(), 2u);
}

TEST(CDefinitions, ScalarsAndArrays) {
  Laid c(
      "enum Color { RED, GREEN };\n"
      "struct Mixed {\n"
      "  _Bool b; char ch; signed char sc; unsigned char uc; short s; unsigned short us;\n"
      "  long l; unsigned long ul; long long ll; enum Color color;\n"
      "  double d; float f[2]; char names[4][16]; signed char raw[3]; int flex[];\n"
      "};\n");
  ASSERT_EQ(c.errors(), "");
  const Record &mixed = c.record("struct Mixed");
  EXPECT_EQ(mixed.size, 128u);
  EXPECT_EQ(mixed.fields, (std::vector<RecordField>{
                              field("b", kUint8, 0),
                              field("ch", kInt8, 1),
                              field("sc", kInt8, 2),
                              field("uc", kUint8, 3),
                              field("s", kInt16, 4),
                              field("us", kUint16, 6),
                              field("l", kInt64, 8),
                              field("ul", kUint64, 16),
                              field("ll", kInt64, 24),
                              field("color", kUint32, 32),   // no negative values: unsigned
                              field("d", Type::none(), 40),  // kept, so offsets stay right
                              field("f", Type::none(), 48),
                              field("names", Type::array(Type::string(16), 4), 56),
                              field("raw", Type::array(kInt8, 3), 120),
                              field("flex", Type::array(kInt32, 0), 124),
                          }));
}

TEST(CDefinitions, EnumConstants) {
  Laid c(
      "enum Color { RED, GREEN = 5, BLUE };\n"
      "enum { NEG = -3 };\n"
      "enum Big { HUGE = 0xffffffffU };\n"
      "struct WithEnum { enum Inner { IN_A = 7 } e; };\n");
  ASSERT_EQ(c.errors(), "");
  EXPECT_EQ(
      c.defs.constants,
      (std::map<std::string, int64_t>{
          {"RED", 0}, {"GREEN", 5}, {"BLUE", 6}, {"NEG", -3}, {"HUGE", 4294967295}, {"IN_A", 7}}));
}

// Layout options that want `names`, as the probes would use them.
LayoutOptions wanting(std::set<std::string> names) {
  LayoutOptions options;
  options.wanted = std::move(names);
  return options;
}

TEST(CDefinitions, IntegerDefines) {
  const char kDefines[] =
      "#define TEN 10\n"
      "#define HEX 0x10\n"
      "#define MINUS_ONE -1\n"
      "#define PAGE (4096)\n"
      "#define LONG_TEN 10UL\n"
      "#define OCTAL 010\n"
      "#define NEGATIVE_IN_PARENS (-(8))\n"
      "#define ALIAS TEN\n"
      "#define SUM (1 + 2)\n"
      "#define B (1 << 3)\n"
      "#define MASK (B | 1)\n"
      "#define SIZE sizeof(long)\n"
      "#define CHAR 'a'\n"
      "#define U32 0xffffffffu\n"
      "#define ALL_BITS 0xffffffffffffffffULL\n"
      "#define TEXT \"str\"\n"
      "#define FUNCTION(x) (x)\n"
      "#define HALF 1.5\n"
      "#define TYPE int\n"
      "#define EMPTY\n"
      "#define GONE 4\n"
      "#undef GONE\n";
  Laid c(
      kDefines,
      wanting({"TEN",      "HEX",  "MINUS_ONE", "PAGE", "LONG_TEN", "OCTAL", "NEGATIVE_IN_PARENS",
               "ALIAS",    "SUM",  "B",         "MASK", "SIZE",     "CHAR",  "U32",
               "ALL_BITS", "TEXT", "FUNCTION",  "HALF", "TYPE",     "EMPTY", "GONE",
               "NOSUCH"}));
  // What is no integer is left out, and the second reading's errors are not the script's.
  ASSERT_EQ(c.errors(), "");
  EXPECT_EQ(c.defs.constants, (std::map<std::string, int64_t>{{"TEN", 10},
                                                              {"HEX", 16},
                                                              {"MINUS_ONE", -1},
                                                              {"PAGE", 4096},
                                                              {"LONG_TEN", 10},
                                                              {"OCTAL", 8},
                                                              {"NEGATIVE_IN_PARENS", -8},
                                                              {"ALIAS", 10},
                                                              {"SUM", 3},
                                                              {"B", 8},
                                                              {"MASK", 9},
                                                              {"SIZE", 8},
                                                              {"CHAR", 97},
                                                              {"U32", 4294967295},
                                                              {"ALL_BITS", -1}}));

  // Only the wanted ones are read.
  Laid unwanted(kDefines, wanting({"MASK", "pid"}));
  EXPECT_EQ(unwanted.defs.constants, (std::map<std::string, int64_t>{{"MASK", 9}}));
  Laid none(kDefines);
  EXPECT_TRUE(none.defs.constants.empty());
}

TEST(CDefinitions, MacrosOfSystemHeaders) {
  // AF_INET is `#define AF_INET PF_INET`, `#define PF_INET 2`; SOCK_STREAM an enum constant
  // that a macro of the same name repeats.
  Laid c("#include <sys/socket.h>\n", wanting({"AF_INET", "AF_INET6", "SOCK_STREAM", "pid"}));
  ASSERT_EQ(c.errors(), "");
  EXPECT_EQ(c.defs.constants.at("AF_INET"), 2);
  EXPECT_EQ(c.defs.constants.at("AF_INET6"), 10);
  EXPECT_EQ(c.defs.constants.at("SOCK_STREAM"), 1);
  EXPECT_EQ(c.defs.constants.count("AF_UNIX"), 0u);  // a macro, but unwanted
  EXPECT_EQ(c.defs.constants.count("pid"), 0u);
}

TEST(CDefinitions, MacrosOfIncludeDirsAndIncludeFiles) {
  testing::ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::ofstream(dir.path() + "/limits_of_test.h") << "#define LIMIT 3\n";
  std::string header = dir.path() + "/pre.h";
  std::ofstream(header) << "#define FLAG_A 0x10\n#define FLAG_B 0x20\n";
  LayoutOptions options = wanting({"LIMIT", "FLAG_A", "BOTH"});
  options.include_dirs = {dir.path()};
  options.include_files = {header};
  Laid c("#include <limits_of_test.h>\n#define BOTH (FLAG_A | FLAG_B)\n", options);
  ASSERT_EQ(c.errors(), "");
  EXPECT_EQ(c.defs.constants,
            (std::map<std::string, int64_t>{{"LIMIT", 3}, {"FLAG_A", 16}, {"BOTH", 48}}));

  // A --include file's macros, with no text at all.
  Laid only_includes("", options);
  ASSERT_EQ(only_includes.errors(), "");
  EXPECT_EQ(only_includes.defs.constants, (std::map<std::string, int64_t>{{"FLAG_A", 16}}));
}

TEST(CDefinitions, SystemHeaders) {
  Laid c(
      "#include <stdint.h>\n"
      "#include <sys/types.h>\n"
      "#include <linux/types.h>\n"
      "struct Sample { uint64_t ts; uint32_t pid; int8_t tag; uint8_t mac[6]; pid_t tid;\n"
      "                __u16 port; };\n");
  ASSERT_EQ(c.errors(), "");
  const Record &sample = c.record("struct Sample");
  EXPECT_EQ(sample.size, 32u);
  EXPECT_EQ(sample.fields, (std::vector<RecordField>{
                               field("ts", kUint64, 0),
                               field("pid", kUint32, 8),
                               field("tag", kInt8, 12),
                               field("mac", Type::array(kUint8, 6), 13),
                               field("tid", kInt32, 20),
                               field("port", kUint16, 24),
                           }));
  EXPECT_EQ(c.defs.typedefs.at("uint64_t"), kUint64);
  // A header's #defines become constants only when the probes want them.
  EXPECT_EQ(c.defs.constants.count("UINT64_MAX"), 0u);
}

TEST(CDefinitions, AMissingHeaderIsAnErrorAtItsInclude) {
  Laid c(
      "struct A { int x; };\n"
      "#include <nosuch.h>\n");
  EXPECT_EQ(c.errors(),
            "t.bt:2:10-20: ERROR: 'nosuch.h' file not found\n"
            "#include <nosuch.h>\n"
            "         ~~~~~~~~~~\n");
}

TEST(CDefinitions, AnUnknownTypeIsAnErrorWhereTheScriptSaysIt) {
  // Positions are the script's: the parser blanks what is not C and keeps the lines.
  Laid c(
      "\n"
      "          \n"
      "struct S {\n"
      "  foo x;\n"
      "};\n");
  EXPECT_EQ(c.errors(),
            "t.bt:4:3-6: ERROR: unknown type name 'foo'\n"
            "  foo x;\n"
            "  ~~~\n");
  // libclang marks the struct invalid; it is left out rather than laid out wrongly.
  EXPECT_EQ(c.defs.records.count("struct S"), 0u);
}

TEST(CDefinitions, AnErrorInAHeaderIsShownAtTheScriptsInclude) {
  testing::ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::ofstream(dir.path() + "/bad.h") << "struct B { int z; };\nstruct C { bar y; };\n";
  std::ofstream(dir.path() + "/outer.h") << "#include \"bad.h\"\n";
  LayoutOptions options;
  options.include_dirs = {dir.path()};
  Laid c("struct A { int x; };\n#include <outer.h>\n", options);
  EXPECT_EQ(c.errors(), "t.bt:2:10-19: ERROR: " + dir.path() +
                            "/bad.h:2: unknown type name 'bar'\n"
                            "#include <outer.h>\n"
                            "         ~~~~~~~~~\n");
  EXPECT_EQ(c.record("struct B").size, 4u);
}

TEST(CDefinitions, IncludeFilesComeBeforeTheText) {
  testing::ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string header = dir.path() + "/types.h";
  std::ofstream(header) << "struct Pre { long a; };\ntypedef struct Pre pre_t;\n";
  LayoutOptions options;
  options.include_files = {header};
  Laid only_includes("", options);
  ASSERT_EQ(only_includes.errors(), "");
  EXPECT_EQ(only_includes.record("struct Pre").size, 8u);

  Laid with_text("struct Post { pre_t p; int b; };\n", options);
  ASSERT_EQ(with_text.errors(), "");
  EXPECT_EQ(with_text.record("struct Post").size, 16u);
}

TEST(CDefinitions, AnErrorInAnIncludeFileHasNoLineOfTheScript) {
  testing::ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string header = dir.path() + "/broken.h";
  std::ofstream(header) << "\nstruct Pre { nope a; };\n";
  LayoutOptions options;
  options.include_files = {header};
  Laid c("", options);
  EXPECT_EQ(c.errors(), "ERROR: " + header + ":2: unknown type name 'nope'\n");
}

TEST(CDefinitions, EmptyTextHasNoDefinitions) {
  for (const char *text : {"", "\n\n   \n\t\n"}) {
    Laid c(text, wanting({"AF_INET"}));
    EXPECT_EQ(c.errors(), "");
    EXPECT_TRUE(c.defs.empty());
  }
}

}  // namespace
}  // namespace ut::ctypes
