// Runtime tests of C types in scripts: structs, unions, arrays and pointers, laid out by the
// script's own C definitions or by the traced program's DWARF, read in the kernel from the
// tracees types.c and types_cpp.cpp, and printed as bpftrace prints them.
#include <dirent.h>

#include <fstream>

#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

const std::string kTypes = TRACEE_DIR "/types";
const std::string kTypesCpp = TRACEE_DIR "/types_cpp";

// types.c's own definitions, as a script writes them.
const std::string kLineDefs =
    "struct Point { int x; int y; }; "
    "struct Line { struct Point a; struct Point b; char name[16]; unsigned int flags : 3; "
    "int delta : 5; int arr[4]; short m[2][2]; }; ";

// draw()'s line, printed whole.
const std::string kLineText =
    "{ .a = { .x = 1, .y = 2 }, .b = { .x = 3, .y = 4 }, .name = hello, .flags = 5, "
    ".delta = -3, .arr = [1,2,3,4], .m = [[5,6],[7,8]] }";

std::string probe(const std::string &function) {
  return "uprobe:" + kTypes + ":" + function;
}

// The probe text for a function of types_cpp, by its mangled or its quoted demangled name.
std::string cpp_probe(const std::string &function) {
  return "uprobe:" + kTypesCpp + ":" + function;
}

// Whether a process runs `path` with `arg` as its first argument.
bool running(const std::string &path, const std::string &arg) {
  const std::string wanted = path + std::string(1, '\0') + arg + std::string(1, '\0');
  DIR *proc = opendir("/proc");
  if (!proc) return false;
  bool found = false;
  while (dirent *entry = readdir(proc)) {
    std::ifstream in(std::string("/proc/") + entry->d_name + "/cmdline");
    std::stringstream cmdline;
    cmdline << in.rdbuf();
    if (cmdline.str() == wanted) found = true;
  }
  closedir(proc);
  return found;
}

class Types : public Runtime {
 protected:
  // Runs `program` quietly with types.c as the -c child.
  static RunResult trace_types(const std::string &program,
                               const std::vector<std::string> &options = {}) {
    std::vector<std::string> args{"-q"};
    args.insert(args.end(), options.begin(), options.end());
    args.insert(args.end(), {"-c", kTypes + " 300", "-e", program});
    return utrace(args);
  }

  static RunResult trace_types_cpp(const std::string &program) {
    return utrace({"-q", "-c", kTypesCpp + " 300", "-e", program});
  }

  // An error that analysis reports: exit 1, exactly `err` on stderr, nothing on stdout, no
  // probe left attached and no tracee left running.
  static void expect_error(const RunResult &r, const std::string &err) {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, err);
    EXPECT_EQ(r.out, "");
    expect_nothing_left_attached();
    EXPECT_FALSE(running(kTypes, "300"));
  }
};

// --- Structs the script defines ---

TEST_F(Types, ScriptStructMembersAndAStructAsAMapKey) {
  RunResult r = trace_types(kLineDefs + probe("draw") +
                            R"( { $l = (struct Line *)arg0; printf("%s %d,%d\n", $l->name, )"
                            R"($l->a.x, $l->b.y); @[$l->a] = count(); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello 1,4\n\n\n@[{.x=1,.y=2}]: 1\n") << r.err;
}

TEST_F(Types, BitfieldsArraysAndIndexes) {
  RunResult r = trace_types(
      kLineDefs + probe("draw") +
      R"( { $l = (struct Line *)arg0; printf("%d %d %d %d\n", $l->flags, $l->delta, $l->m[1][0], )"
      R"($l->m[0][1]); $i = 3; $j = 4; printf("%d %d\n", $l->arr[$i], $l->arr[$j]); )"
      R"(@arr = $l->arr; @m = $l->m; })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "5 -3 7 6\n"
            "4 0\n"  // an index past the end reads 0
            "\n\n"
            "@arr: [1,2,3,4]\n"
            "@m: [[5,6],[7,8]]\n")
      << r.err;
}

TEST_F(Types, WholeStructsTuplesArrayKeysAndComparisons) {
  RunResult r = trace_types(
      kLineDefs + probe("draw") +
      R"( { $l = (struct Line *)arg0; @l = *$l; @t = ($l->a, $l->name, 1); @k[$l->arr] = 1; )"
      R"(printf("%d %d %d %d %d\n", $l->a == $l->a, $l->a == $l->b, $l->a != $l->b, )"
      R"($l->arr == $l->arr, $l->m[0] == $l->m[1]); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "1 0 1 1 0\n"
            "\n\n"
            "@k[[1,2,3,4]]: 1\n"
            "@l: " +
                kLineText +
                "\n"
                "@t: ({ .x = 1, .y = 2 }, hello, 1)\n")
      << r.err;
}

TEST_F(Types, SizeofStructsAndTuples) {
  RunResult r = run_quiet(
      kLineDefs + R"(BEGIN { printf("%d %d %d %d\n", sizeof(struct Line), sizeof(struct Point), )"
                  R"(sizeof((int8, int16, int32)), sizeof((int8, int64))); exit(); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "60 8 8 16\n\n\n") << r.err;
}

// JSON: records are objects, arrays are arrays, and keys are the compact text.
TEST_F(Types, JsonPrintsRecordsAsObjects) {
  RunResult r = trace_types(
      kLineDefs + probe("draw") +
          R"( { $l = (struct Line *)arg0; @[$l->a] = count(); @arr = $l->arr; @m = $l->m; )"
          R"(@l = *$l; @t = ($l->a, $l->name, 1); @k[$l->arr] = 1; @p[$l->a, 2] = 3; })",
      {"-f", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            R"({"type": "map", "data": {"@": {"{.x=1,.y=2}": 1}}})"
            "\n"
            R"({"type": "map", "data": {"@arr": [1,2,3,4]}})"
            "\n"
            R"({"type": "map", "data": {"@k": {"[1,2,3,4]": 1}}})"
            "\n"
            R"({"type": "map", "data": {"@l": { "a": { "x": 1, "y": 2 }, "b": { "x": 3, "y": 4 }, )"
            R"("name": "hello", "flags": 5, "delta": -3, "arr": [1,2,3,4], "m": [[5,6],[7,8]] }}})"
            "\n"
            R"({"type": "map", "data": {"@m": [[5,6],[7,8]]}})"
            "\n"
            R"({"type": "map", "data": {"@p": {"{.x=1,.y=2},2": 3}}})"
            "\n"
            R"({"type": "map", "data": {"@t": [{ "x": 1, "y": 2 },"hello",1]}})"
            "\n")
      << r.err;
}

// --- Types from the traced program's DWARF ---

TEST_F(Types, DwarfStructsWithoutDefinitions) {
  RunResult r = trace_types(
      probe("draw") +
      R"( { $l = (struct Line *)arg0; printf("%s %d %d\n", $l->name, $l->b.x, $l->arr[2]); )"
      R"(printf("%s %d %d %d\n", args.l->name, args.l->m[1][1], args.l->flags, args.l->delta); )"
      R"(@l = *args.l; } )" +
      probe("walk") +
      R"( { printf("%d %s %s\n", args.head->next->next->value, str(args.head->next->label), )"
      R"(str(args.head->label)); } )" +
      probe("value_of") + R"( { printf("%x %d\n", args.v->as_int, args.v->bytes[1]); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "hello 3 3\n"
            "hello 8 5 -3\n"
            "3 two one\n"
            "5060708 7\n"
            "\n\n"
            "@l: " +
                kLineText + "\n")
      << r.err;
}

TEST_F(Types, DwarfStructPassedByValue) {
  RunResult r =
      trace_types(probe("by_value") + R"( { printf("%d %d\n", args.p.x, args.p.y); @ = args.p; })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "6 7\n\n\n@: { .x = 6, .y = 7 }\n") << r.err;
}

// A script's `struct Point` swaps the members of the program's: the script's wins.
const std::string kSwappedPoint = "struct Point { int y; int x; }; ";

TEST_F(Types, AScriptDefinitionWinsOverDwarfInCasts) {
  RunResult r =
      trace_types(kSwappedPoint + probe("draw") +
                  R"( { $p = (struct Point *)arg0; printf("%d %d\n", $p->x, $p->y); @p = *$p; })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2 1\n\n\n@p: { .y = 1, .x = 2 }\n") << r.err;
}

TEST_F(Types, AScriptDefinitionWinsOverDwarfInArgs) {
  RunResult r = trace_types(kSwappedPoint + probe("by_value") +
                            R"( { printf("%d %d\n", args.p.x, args.p.y); @ = args.p; })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "7 6\n\n\n@: { .y = 6, .x = 7 }\n") << r.err;
}

// bpftrace knows one struct per name: the DWARF's struct Line holds the script's struct Point.
TEST_F(Types, AScriptDefinitionWinsOverDwarfInsideDwarfStructs) {
  RunResult r = trace_types(
      kSwappedPoint + probe("draw") +
      R"( { $l = (struct Line *)arg0; printf("%d %d %d\n", $l->a.x, $l->b.x, args.l->a.y); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2 4 1\n\n\n") << r.err;
}

// --- Unions, anonymous members, pointer chains ---

TEST_F(Types, UnionsReadEveryMember) {
  RunResult r = trace_types(
      "union Value { long as_long; int as_int; unsigned char bytes[8]; }; " + probe("value_of") +
      R"( { $v = (union Value *)arg0; printf("%x %x %d %d\n", $v->as_long, $v->as_int, )"
      R"($v->bytes[0], $v->bytes[7]); @v = *$v; })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "102030405060708 5060708 8 1\n"
            "\n\n"
            "@v: { .as_long = 72623859790382856, .as_int = 84281096, "
            ".bytes = [8,7,6,5,4,3,2,1] }\n")
      << r.err;
}

TEST_F(Types, AnonymousMembersFromDwarf) {
  RunResult r = trace_types(
      probe("shape") +
      R"( { $s = (struct Shape *)arg0; printf("%d %d %d %d %d\n", $s->kind, $s->center.x, )"
      R"($s->center.y, $s->size.w, args.s->size.h); )"
      R"(printf("%d\n", $s->radius == (20 << 32) + 10); @s = *args.s; })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "1 10 20 30 40\n"
            "1\n"
            "\n\n"
            "@s: { .kind = 1, .center = { .x = 10, .y = 20 }, .radius = 85899345930, "
            ".size = { .w = 30, .h = 40 } }\n")
      << r.err;
}

TEST_F(Types, PointerChainsWithUnroll) {
  RunResult r = trace_types(
      "struct Node { int value; const char *label; struct Node *next; }; " + probe("walk") +
      R"( { $n = (struct Node *)arg0; unroll(3) { printf("%d %s\n", $n->value, str($n->label)); )"
      R"(@[str($n->label)] = $n->value; $n = $n->next; } printf("end %d\n", $n == 0); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "1 one\n2 two\n3 three\nend 1\n"
            "\n\n"
            "@[one]: 1\n@[two]: 2\n@[three]: 3\n")
      << r.err;
}

// --- Pointers, integer casts, globals ---

TEST_F(Types, PointerArithmeticIsScaledByThePointeeSize) {
  RunResult r = run_quiet(
      "BEGIN { @a = (int32*)1000 + 1; $p = (int64*)1000; $p++; @b = $p; @q = (int16*)2000; "
      "@q += 2; $r = (uint32 *)1000; $r -= 1; @r = $r; @c = (uint8)257; @d = (int8)255; exit(); }");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n\n@a: 1004\n@b: 1008\n@c: 1\n@d: -1\n@q: 2004\n@r: 996\n") << r.err;
}

TEST_F(Types, PointersIntoTheTraceesMemory) {
  RunResult r = trace_types(
      probe("ints") +
      R"( { $p = (int32 *)arg0 + 1; printf("%d %d %d\n", *$p, $p[2], *($p + 1)); $p++; )"
      R"(printf("%d ", *$p); $p += 2; printf("%d\n", *$p); )"
      R"(printf("%d %d %d\n", *(args.xs + 1), args.xs[4], args.n); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "20 40 30\n30 50\n20 50 5\n\n\n") << r.err;
}

// str(pointer, length) with a length known at run time, as a Go string is read by hand, and
// bpftrace's address-space marks uptr() and kptr(), which change nothing here.
TEST_F(Types, StrWithARuntimeLengthAndAddressSpaceMarks) {
  RunResult r = trace_types(
      probe("draw") +
      R"( { $n = 3; printf("[%s] [%s] [%s]\n", str(arg0 + 16, $n), str(arg0 + 16, $n - 3), )"
      R"(str(arg0 + 16, 1000)); $l = (struct Line *)uptr(arg0); )"
      R"(printf("%d %d\n", $l->b.x, *(int32 *)kptr(arg0)); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[hel] [] [hello]\n3 1\n\n\n") << r.err;
}

TEST_F(Types, GlobalsReadWithTheirDwarfTypes) {
  RunResult r = trace_types(
      probe("ints") +
      R"( { printf("%d %d %d %d\n", *uaddr("g32"), *uaddr("g16"), *uaddr("g8"), *uaddr("g64")); )"
      R"(@n = *uaddr("numbers"); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "-7 300 200 -1234567890123\n\n\n@n: [10,20,30,40,50]\n") << r.err;
}

TEST_F(Types, StringVariablesOfDifferentLengths) {
  RunResult r =
      run_quiet(R"(BEGIN { $s = ""; if (1) { $s = "hi"; } printf("[%s]\n", $s); $t = "a"; )"
                R"($t = "a longer string"; printf("[%s]\n", $t); exit(); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[hi]\n[a longer string]\n\n\n") << r.err;
}

// --- Enums, #define, #include ---

TEST_F(Types, EnumConstantsDefinesAndIncludes) {
  RunResult r = trace_types(
      "#include <stdint.h>\n"
      "#define LIMIT 42\n"
      "#define MASK 0xff\n"
      "enum Color { RED, GREEN = 5, BLUE };\n"
      "struct Whole { uint64_t v; };\n"
      "struct Parts { uint8_t first; uint8_t second; uint16_t pair; uint32_t high; };\n" +
      probe("value_of") +
      R"( { $w = (struct Whole *)arg0; $p = (struct Parts *)arg0; printf("%x %d %d %x %x\n", )"
      R"($w->v, $p->first, $p->second + LIMIT, $p->pair, $p->high); )"
      R"(printf("%d %d %d %d %d\n", RED, GREEN, BLUE, MASK, sizeof(struct Parts)); )"
      R"(@[BLUE] = *$p; })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "102030405060708 8 49 506 1020304\n"
            "0 5 6 255 8\n"
            "\n\n"
            "@[6]: { .first = 8, .second = 7, .pair = 1286, .high = 16909060 }\n")
      << r.err;
}

// --- Records over the 128 bytes a BPF program's stack takes for one value ---

std::string big_text() {
  std::string text = "{ .name = big, .more = [";
  for (int i = 0; i < 200; i++) text += (i ? "," : "") + std::to_string(3 * i);
  return text + "] }";
}

TEST_F(Types, StructsOver128BytesReadWhole) {
  RunResult r = trace_types(
      "struct Big { char name[16]; int more[200]; }; " + probe("big") +
      R"( { $b = (struct Big *)arg0; $c = *$b; printf("%s %d %d %d\n", $c.name, $c.more[1], )"
      R"($c.more[199], sizeof($c)); @b = *$b; })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "big 3 597 816\n\n\n@b: " + big_text() + "\n") << r.err;
}

TEST_F(Types, DwarfStructsOver128BytesReadWhole) {
  RunResult r =
      trace_types(probe("big") +
                  R"( { $c = *args.b; printf("%s %d\n", $c.name, $c.more[100]); @b = *args.b; })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "big 300\n\n\n@b: " + big_text() + "\n") << r.err;
}

// --- C++: classes in namespaces, base classes, references (g++'s DWARF) ---

TEST_F(Types, CppClassesByMangledNames) {
  RunResult r = trace_types_cpp(
      cpp_probe("_ZN3geo5touchEPNS_6WidgetE") +
      R"( { printf("%d %d %d %d %s\n", args.w->id, args.w->w, args.w->h, args.w->next->w, )"
      R"(str(args.w->next->label)); $w = (struct geo::Widget *)arg0; )"
      R"(printf("%d %s %d\n", $w->next->id, str($w->label), sizeof(struct geo::Widget)); } )" +
      cpp_probe("_ZN3geo6by_refERKNS_6WidgetE") +
      R"( { printf("%d %d %s\n", args.w.id, args.w.w, str(args.w.label)); } )" +
      cpp_probe("_ZN3geo8pair_sumENS_4PairE") +
      R"( { printf("%d %d\n", args.p.first, args.p.second); @p = args.p; )"
      R"(@t = *uaddr("_ZN3geo5totalE"); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "1 3 4 5 second\n"
            "2 first 32\n"
            "2 5 second\n"
            "8 9\n"
            "\n\n"
            "@p: { .first = 8, .second = 9 }\n"
            "@t: 3\n")
      << r.err;
}

// uprobes take C++ functions by their demangled names (probes_test.cpp); so do their args.
TEST_F(Types, CppArgsByDemangledNames) {
  RunResult r = trace_types_cpp(
      cpp_probe("\"geo::touch\"") +
      R"( { printf("%d %d %s\n", args.w->id, args.w->next->h, str(args.w->label)); } )" +
      cpp_probe("\"geo::pair_sum\"") + R"( { @ = args.p; })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1 6 first\n\n\n@: { .first = 8, .second = 9 }\n") << r.err;
}

// --- Errors: exit 1, the message placed in the script, nothing attached ---

TEST_F(Types, UnknownMemberSuggestsTheClosest) {
  expect_error(
      run_quiet("struct P { int x; int y; }; BEGIN { $p = (struct P *)0; @ = $p->xx; exit(); }"),
      "stdin:1:61-67: ERROR: Struct/union of type 'struct P' does not contain a field named 'xx'\n"
      "struct P { int x; int y; }; BEGIN { $p = (struct P *)0; @ = $p->xx; exit(); }\n"
      "                                                            ~~~~~~\n"
      "HINT: did you mean 'x'?\n");
}

TEST_F(Types, UnknownDwarfMemberSuggestsTheClosest) {
  expect_error(trace_types(probe("draw") + " {\n  printf(\"%s\\n\", args.l->nme);\n}"),
               "stdin:2:18-29: ERROR: Struct/union of type 'struct Line' does not contain a "
               "field named 'nme'\n"
               "  printf(\"%s\\n\", args.l->nme);\n"
               "                 ~~~~~~~~~~~\n"
               "HINT: did you mean 'name'?\n");
}

TEST_F(Types, UnknownStruct) {
  expect_error(run_quiet("BEGIN { @ = ((struct Q *)0)->x; exit(); }"),
               "stdin:1:14-27: ERROR: Unknown struct/union: 'struct Q'\n"
               "BEGIN { @ = ((struct Q *)0)->x; exit(); }\n"
               "             ~~~~~~~~~~~~~\n"
               "HINT: define it at the top of the script\n");
}

// The cast is the one mistake: the variable it was assigned to is no second error.
TEST_F(Types, UnknownStructInATracedProgramIsOneError) {
  expect_error(trace_types(probe("draw") + " {\n  $n = (struct Nope *)arg0;\n  @ = $n->x;\n}"),
               "stdin:2:8-27: ERROR: Unknown struct/union: 'struct Nope'\n"
               "  $n = (struct Nope *)arg0;\n"
               "       ~~~~~~~~~~~~~~~~~~~\n"
               "HINT: define it at the top of the script, or build the traced program with -g so "
               "that its DWARF describes it\n");
}

TEST_F(Types, CastOfAString) {
  expect_error(run_quiet(R"x(struct P { int x; }; BEGIN { @ = (struct P *)"abc"; exit(); })x"),
               "stdin:1:46-51: ERROR: Casts are not supported for type: \"string[4]\"\n"
               "struct P { int x; }; BEGIN { @ = (struct P *)\"abc\"; exit(); }\n"
               "                                             ~~~~~\n");
}

TEST_F(Types, ConstantIndexPastTheEnd) {
  expect_error(
      run_quiet("struct P { int a[4]; }; BEGIN { $p = (struct P *)0; @ = $p->a[5]; exit(); }"),
      "stdin:1:57-65: ERROR: the index 5 is out of bounds for array of size 4\n"
      "struct P { int a[4]; }; BEGIN { $p = (struct P *)0; @ = $p->a[5]; exit(); }\n"
      "                                                        ~~~~~~~~\n");
}

TEST_F(Types, MissingInclude) {
  expect_error(run_quiet("#include <nosuch.h>\nBEGIN { exit(); }"),
               "stdin:1:10-20: ERROR: 'nosuch.h' file not found\n"
               "#include <nosuch.h>\n"
               "         ~~~~~~~~~~\n");
}

TEST_F(Types, ErrorInADefinition) {
  expect_error(run_quiet("struct P { intt x; };\nBEGIN { exit(); }"),
               "stdin:1:12-16: ERROR: unknown type name 'intt'\n"
               "struct P { intt x; };\n"
               "           ~~~~\n");
}

TEST_F(Types, FloatMember) {
  expect_error(
      run_quiet("struct F { float f; int i; }; BEGIN { $p = (struct F *)0; @ = $p->f; exit(); }"),
      "stdin:1:63-68: ERROR: member 'f' of struct F has a type utrace cannot read (a "
      "floating-point number or a function)\n"
      "struct F { float f; int i; }; BEGIN { $p = (struct F *)0; @ = $p->f; exit(); }\n"
      "                                                              ~~~~~\n");
}

TEST_F(Types, ArrowOnAnInteger) {
  expect_error(run_quiet("BEGIN { $x = 1; @ = $x->y; exit(); }"),
               "stdin:1:21-26: ERROR: cannot access field 'y' of a value of type int64\n"
               "BEGIN { $x = 1; @ = $x->y; exit(); }\n"
               "                    ~~~~~\n");
}

// samples/c/jobs.bt prints what the comment at its end says it prints.
TEST_F(Types, TheJobsSamplePrintsWhatItsCommentShows) {
  std::string script = kSourceDir + "/samples/c/jobs.bt";
  std::ifstream in(script);
  std::string line, expected;
  bool output = false;
  while (std::getline(in, line)) {
    if (line.rfind("// Output of", 0) == 0) {
      output = true;
      continue;
    }
    if (output && line.rfind("//", 0) == 0)
      expected += (line.size() > 3 ? line.substr(3) : "") + "\n";
  }
  ASSERT_FALSE(expected.empty()) << "no output comment in " << script;
  RunResult r = utrace({"-c", TRACEE_DIR "/jobs", script, TRACEE_DIR "/jobs"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, expected) << r.err;
}

}  // namespace
}  // namespace ut
