// Analysis of C types: the script's definitions (laid out by libclang), the traced program's
// (a fake catalog stands for its DWARF), casts, members, elements, pointers and sizeof.
#include <gtest/gtest.h>

#include <memory>

#include "tests/unit/test_support.h"

namespace ut {
namespace {

using codegen::Record;
using codegen::RecordField;
using codegen::Type;
using testing::errors_of;
using testing::Pipeline;

// The value sizeof(...) or a constant gave `e`, the first statement's value in the only probe:
// `BEGIN { $x = EXPR; }`.
uint64_t constant_of(const std::string &script) {
  Pipeline p(script);
  auto sema = p.analyze();
  EXPECT_EQ(p.errors(), "");
  const auto &assign = ast::as<ast::Assign>(*p.program->probes[0]->body->stmts[0]);
  return sema.constants.at(assign.value);
}

// The type of the first statement's value in the only probe.
std::string type_of(const std::string &script, codegen::BinaryCatalog *binaries = nullptr) {
  Pipeline p(script);
  codegen::AnalyzeOptions options;
  options.binaries = binaries;
  auto sema = p.analyze(options);
  EXPECT_EQ(p.errors(), "");
  const auto &assign = ast::as<ast::Assign>(*p.program->probes[0]->body->stmts[0]);
  return sema.type_of(*assign.value).str();
}

const char kLine[] =
    "struct Point { int x; int y; };\n"
    "struct Line { struct Point a; struct Point b; char name[16]; unsigned int flags : 3;\n"
    "              int arr[4]; short m[2][2]; struct Line *next; };\n";

TEST(Types, SizesComeFromTheCFrontEnd) {
  // 60 bytes as in bpftrace's measure, then `next` aligned to 8.
  EXPECT_EQ(constant_of(std::string(kLine) + "BEGIN { $x = sizeof(struct Line); }"), 72u);
  EXPECT_EQ(constant_of(std::string(kLine) + "BEGIN { $x = sizeof(struct Point *); }"), 8u);
  // Tuples are laid out as C lays out a struct of their elements.
  EXPECT_EQ(constant_of("BEGIN { $x = sizeof((int8, int16, int32)); }"), 8u);
  EXPECT_EQ(constant_of("BEGIN { $x = sizeof((int8, int64)); }"), 16u);
  EXPECT_EQ(constant_of("BEGIN { $x = sizeof((int8, int8)); }"), 2u);
  EXPECT_EQ(constant_of("typedef struct { char c; long l; } pair_t;\n"
                        "BEGIN { $x = sizeof(pair_t); }"),
            16u);
  EXPECT_EQ(constant_of("struct __attribute__((packed)) P { char c; int i; };\n"
                        "BEGIN { $x = sizeof(struct P); }"),
            5u);
}

TEST(Types, EnumConstantsAndDefinesAreNumbers) {
  EXPECT_EQ(constant_of("enum Color { RED = 4, GREEN };\nBEGIN { $x = GREEN; }"), 5u);
  EXPECT_EQ(constant_of("#define LIMIT (4096)\nBEGIN { $x = LIMIT; }"), 4096u);
}

TEST(Types, MembersElementsAndPointersHaveTheirCTypes) {
  EXPECT_EQ(type_of(std::string(kLine) + "BEGIN { $x = (struct Point *)0; }"), "struct Point *");
  EXPECT_EQ(type_of(std::string(kLine) + "BEGIN { $x = ((struct Line *)0)->a; }"),
            "struct Point");
  EXPECT_EQ(type_of(std::string(kLine) + "BEGIN { $x = ((struct Line *)0)->a.y; }"), "int32");
  EXPECT_EQ(type_of(std::string(kLine) + "BEGIN { $x = ((struct Line *)0)->name; }"),
            "string[16]");
  EXPECT_EQ(type_of(std::string(kLine) + "BEGIN { $x = ((struct Line *)0)->flags; }"),
            "unsigned int32");
  EXPECT_EQ(type_of(std::string(kLine) + "BEGIN { $x = ((struct Line *)0)->m; }"),
            "int16[2][2]");
  EXPECT_EQ(type_of(std::string(kLine) + "BEGIN { $x = ((struct Line *)0)->m[1]; }"),
            "int16[2]");
  EXPECT_EQ(type_of(std::string(kLine) + "BEGIN { $x = ((struct Line *)0)->next->next; }"),
            "struct Line *");
  EXPECT_EQ(type_of(std::string(kLine) + "BEGIN { $x = *(struct Line *)0; }"), "struct Line");
  EXPECT_EQ(type_of("BEGIN { $x = (int32 *)0 + 1; }"), "int32 *");
  EXPECT_EQ(type_of("BEGIN { $x = *(int16 **)0; }"), "int16 *");
  // `.` and `->` each work on a struct and on a pointer to one, as newer bpftrace allows.
  EXPECT_EQ(type_of(std::string(kLine) + "BEGIN { $x = ((struct Line *)0).a->x; }"), "int32");
}

TEST(Types, StringVariablesTakeTheLongestString) {
  Pipeline p(R"(BEGIN { $s = ""; if (1) { $s = "hello"; } $t = $s; })");
  auto sema = p.analyze();
  EXPECT_EQ(p.errors(), "");
  EXPECT_EQ(sema.probes[0].variables[0].type.str(), "string[6]");
}

TEST(Types, MistakesAreLocatedErrors) {
  EXPECT_EQ(errors_of("struct P { int x; int count; };\n"
                      "BEGIN { $p = (struct P *)0; $y = $p->cuont; }"),
            "stdin:2:34-43: ERROR: Struct/union of type 'struct P' does not contain a field "
            "named 'cuont'\n"
            "BEGIN { $p = (struct P *)0; $y = $p->cuont; }\n"
            "                                 ~~~~~~~~~\n"
            "HINT: did you mean 'count'?\n");
  EXPECT_EQ(errors_of("BEGIN { $p = (struct Q *)0; }"),
            "stdin:1:14-27: ERROR: Unknown struct/union: 'struct Q'\n"
            "BEGIN { $p = (struct Q *)0; }\n"
            "             ~~~~~~~~~~~~~\n"
            "HINT: define it at the top of the script\n");
  EXPECT_EQ(errors_of("BEGIN { $x = (int32)\"abc\"; }"),
            "stdin:1:21-26: ERROR: Casts are not supported for type: \"string[4]\"\n"
            "BEGIN { $x = (int32)\"abc\"; }\n"
            "                    ~~~~~\n");
  EXPECT_EQ(errors_of("struct P { int a[4]; };\n"
                      "BEGIN { $p = (struct P *)0; $x = $p->a[4]; }"),
            "stdin:2:34-42: ERROR: the index 4 is out of bounds for array of size 4\n"
            "BEGIN { $p = (struct P *)0; $x = $p->a[4]; }\n"
            "                                 ~~~~~~~~\n");
  EXPECT_EQ(errors_of("struct P { int x; };\nBEGIN { $p = (struct P)0; }"),
            "stdin:2:14-25: ERROR: cannot cast to struct P: casts give integers and pointers, "
            "as in (struct P *)\n"
            "BEGIN { $p = (struct P)0; }\n"
            "             ~~~~~~~~~~~\n");
  EXPECT_EQ(errors_of("struct P { float f; };\nBEGIN { $x = ((struct P *)0)->f; }"),
            "stdin:2:14-32: ERROR: member 'f' of struct P has a type utrace cannot read (a "
            "floating-point number or a function)\n"
            "BEGIN { $x = ((struct P *)0)->f; }\n"
            "             ~~~~~~~~~~~~~~~~~~\n");
  EXPECT_EQ(errors_of("BEGIN { $x = 1; $y = $x[0]; }"),
            "stdin:1:22-27: ERROR: The array index operator [] can only be used on arrays and "
            "pointers, found int64.\n"
            "BEGIN { $x = 1; $y = $x[0]; }\n"
            "                     ~~~~~\n");
  EXPECT_EQ(errors_of("BEGIN { $x = \"ab\" + 1; }"),
            "stdin:1:14-22: ERROR: Type mismatch for '+': comparing 'string[3]' with 'int64'\n"
            "BEGIN { $x = \"ab\" + 1; }\n"
            "             ~~~~~~~~\n");
}

TEST(Types, AFlexibleArrayIsReadByItsElements) {
  EXPECT_EQ(errors_of("struct P { int n; int a[]; };\n"
                      "BEGIN { $p = (struct P *)0; $x = $p->a[7]; @a[$p->a] = 1; }"),
            "stdin:2:47-52: ERROR: int32[0] has no size, so it cannot be held whole: read its "
            "elements, as in a[i]\n"
            "BEGIN { $p = (struct P *)0; $x = $p->a[7]; @a[$p->a] = 1; }\n"
            "                                              ~~~~~\n");
}

TEST(Types, RecordsAndArraysAreValuesOfMapsAndKeys) {
  EXPECT_EQ(errors_of(std::string(kLine) +
                      "BEGIN { $l = (struct Line *)0; @[$l->a] = count(); @v = *$l; "
                      "@k[$l->arr, 1] = $l->m; @t = ($l->a, $l->name); $e = $l->a == $l->b; }"),
            "");
  EXPECT_EQ(errors_of(std::string(kLine) +
                      "BEGIN { $l = (struct Line *)0; $e = $l->a == $l->arr; }"),
            "stdin:4:37-53: ERROR: Type mismatch for '==': comparing 'struct Point' with "
            "'int32[4]'\n"
            "BEGIN { $l = (struct Line *)0; $e = $l->a == $l->arr; }\n"
            "                                    ~~~~~~~~~~~~~~~~\n");
}

// The traced program's DWARF: /bin/app has struct Point { int y; int x; } (members in the
// other order than the script's below), a struct Node, and a global `int g32`.
class FakeDwarf : public codegen::BinaryCatalog {
 public:
  std::optional<codegen::BinaryFacts> facts(const std::string &) override {
    return codegen::BinaryFacts{};
  }
  Result<codegen::FunctionFacts> function(const std::string &, const std::string &f) override {
    return Error("no DWARF for function '" + f + "'");
  }
  Result<Type> type(const std::string &binary, const std::string &name) override {
    if (binary != "/bin/app") return Error("no DWARF in " + binary);
    if (name == "struct Point") return Type::of_record(point());
    if (name == "struct Node") {
      auto node = std::make_shared<Record>();
      node->name = "struct Node";
      node->size = 16;
      node->align = 8;
      auto self = std::make_shared<Record>();
      self->name = "struct Node";
      self->complete = false;
      node->fields = {RecordField{"value", Type::integer(32), 0, 0, 0},
                      RecordField{"next", Type::pointer(Type::of_record(self)), 8, 0, 0}};
      return Type::of_record(node);
    }
    return Error("no type '" + name + "' in " + binary);
  }
  std::optional<Type> variable_type(const std::string &binary,
                                    const std::string &symbol) override {
    if (binary == "/bin/app" && symbol == "g32") return Type::integer(32);
    return std::nullopt;
  }

 private:
  static std::shared_ptr<Record> point() {
    auto r = std::make_shared<Record>();
    r->name = "struct Point";
    r->size = 8;
    r->align = 4;
    r->fields = {RecordField{"y", Type::integer(32), 0, 0, 0},
                 RecordField{"x", Type::integer(32), 4, 0, 0}};
    return r;
  }
};

TEST(Types, UndefinedTypesComeFromTheTracedProgram) {
  FakeDwarf dwarf;
  EXPECT_EQ(type_of("uprobe:/bin/app:f { $x = ((struct Node *)arg0)->next->next->value; }",
                    &dwarf),
            "int32");
  EXPECT_EQ(type_of("uprobe:/bin/app:f { $x = *uaddr(\"g32\"); }", &dwarf), "int32");
  EXPECT_EQ(type_of("uprobe:/bin/app:f { $x = *uaddr(\"unknown\"); }", &dwarf), "int64");

  // The script's definition of a name wins over the program's.
  Pipeline p("struct Point { int x; int y; };\n"
             "uprobe:/bin/app:f { $x = ((struct Point *)arg0)->x; }");
  codegen::AnalyzeOptions options;
  options.binaries = &dwarf;
  auto sema = p.analyze(options);
  ASSERT_EQ(p.errors(), "");
  ASSERT_EQ(sema.members.size(), 1u);
  EXPECT_EQ(sema.members.begin()->second.offset, 0u);

  Pipeline q("uprobe:/bin/app:f { $x = ((struct Point *)arg0)->x; }");
  sema = q.analyze(options);
  ASSERT_EQ(q.errors(), "");
  EXPECT_EQ(sema.members.begin()->second.offset, 4u);  // the program's layout
}

TEST(Types, UnknownTypesSayWhereTheyWereLookedFor) {
  FakeDwarf dwarf;
  Pipeline p("uprobe:/bin/app:f { $x = (struct Nope *)arg0; }");
  codegen::AnalyzeOptions options;
  options.binaries = &dwarf;
  p.analyze(options);
  EXPECT_EQ(p.errors(),
            "stdin:1:26-45: ERROR: Unknown struct/union: 'struct Nope'\n"
            "uprobe:/bin/app:f { $x = (struct Nope *)arg0; }\n"
            "                         ~~~~~~~~~~~~~~~~~~~\n"
            "HINT: define it at the top of the script, or build the traced program with -g so "
            "that its DWARF describes it\n");
}

}  // namespace
}  // namespace ut
