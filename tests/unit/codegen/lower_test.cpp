// Golden tests of the generated C: one small file per feature, reviewed like code. Run with
// UTRACE_UPDATE_GOLDEN=1 to rewrite them after an intended change.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "codegen/plan.h"
#include "stdlib/prelude.h"
#include "tests/unit/test_support.h"

namespace ut {
namespace {

using testing::Pipeline;

std::string golden_path(const std::string &name) {
  return std::string(UTRACE_SOURCE_DIR) + "/tests/golden/" + name;
}

// The generated C without the prelude every program starts with, so that each golden file holds
// only what its feature produces.
std::string without_prelude(const std::string &c) {
  std::string_view prelude = stdlib::prelude();
  return c.compare(0, prelude.size(), prelude) == 0 ? c.substr(prelude.size()) : c;
}

void expect_golden(const std::string &name, const std::string &full) {
  std::string actual = without_prelude(full);
  std::string path = golden_path(name);
  if (getenv("UTRACE_UPDATE_GOLDEN")) {
    std::ofstream(path) << actual;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden file " << path << " (run with UTRACE_UPDATE_GOLDEN=1)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "generated output differs from " << path;
}

std::string read_sample(const std::string &name) {
  std::ifstream in(std::string(UTRACE_SOURCE_DIR) + "/samples/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The loader finds load-time constants by the tag the prelude writes into the program.
TEST(Lower, PreludeTagsLoadTimeConstantsAsThePlanSays) {
  char cpid[64];
  snprintf(cpid, sizeof(cpid), "UT_LOAD_CONSTANT(0x%llx)",
           static_cast<unsigned long long>(codegen::kLoadConstantTag |
                                           static_cast<uint64_t>(codegen::LoadConstant::Cpid)));
  EXPECT_NE(stdlib::prelude().find(std::string("#define UT_CPID ((u32)") + cpid + ")"),
            std::string::npos);
  char start[64];
  snprintf(start, sizeof(start), "UT_LOAD_CONSTANT(0x%llx)",
           static_cast<unsigned long long>(codegen::kLoadConstantTag |
                                           static_cast<uint64_t>(codegen::LoadConstant::StartNs)));
  EXPECT_NE(stdlib::prelude().find(std::string("#define UT_START_NS ") + start), std::string::npos);
}

TEST(Lower, SeedScriptC) {
  Pipeline p(R"(uprobe:/tmp/counter:"main.doWork" { @ = *uaddr("main.counter"); }
interval:s:1 { printf("counter: %d\t %d ops/sec\n", @, @-@prev); @prev = @; })");
  expect_golden("counter.c", p.c_or_errors());
}

TEST(Lower, SeedScriptAst) {
  Pipeline p(read_sample("counter.bt"), "samples/counter.bt");
  ASSERT_EQ(p.errors(), "");
  expect_golden("counter.ast", ast::dump(*p.program));
}

TEST(Lower, SameScriptSameC) {
  const char *text = "BEGIN { @a = 1; @b[2, 3] = @a + 1; printf(\"%d\\n\", @b[2, 3]); exit(); }";
  Pipeline a(text), b(text);
  EXPECT_EQ(a.c_or_errors(), b.c_or_errors());
}

TEST(Lower, ControlFlowAndKeyedMaps) {
  Pipeline p(
      "BEGIN { $i = 0; while ($i < 3) { @sq[$i] = $i * $i; $i++; } "
      "if ($i == 3 && @sq[2] == 4) { printf(\"ok\\n\"); } else { exit(1); } }");
  expect_golden("control_flow.c", p.c_or_errors());
}

TEST(Lower, TuplesAndStringComparison) {
  Pipeline p(
      "BEGIN { $t = (1, \"two\", (3, \"x\")); if (comm == \"utrace\" && $t.1 != \"three\") { "
      "printf(\"%d %s %d\\n\", $t.2.0, $t.2.1, sizeof($t)); } }");
  expect_golden("tuples.c", p.c_or_errors());
}

// Members and elements are followed as addresses: only the last one is read, and a bitfield's
// bits are shifted out of the bytes that hold it.
TEST(Lower, MembersElementsAndBitfields) {
  Pipeline p(
      "struct Point { int x; int y; };\n"
      "struct Line { struct Point a; struct Point b; char name[16]; unsigned int flags : 3;\n"
      "              int delta : 5; int arr[4]; };\n"
      "uprobe:/bin/app:draw { $l = (struct Line *)arg0; $i = 2;\n"
      "  printf(\"%s %d %d %d %d\\n\", $l->name, $l->b.y, $l->flags, $l->delta, $l->arr[$i]);\n"
      "  @[$l->a] = count(); $p = $l->a; @x = $p.x; @same = $l->a == $l->b; }");
  expect_golden("types_members.c", p.c_or_errors());
}

// Pointer arithmetic steps by the pointee's size; records over 128 bytes go in a scratch slot.
TEST(Lower, PointerStepsAndScratchRecords) {
  Pipeline p(
      "struct Big { long words[32]; };\n"
      "uprobe:/bin/app:f { $p = (int32 *)arg0; $p++; $p += 2; @q = $p + 1; @q--; @v = $p[3];\n"
      "  $b = *(struct Big *)arg1; @b = $b; @w = $b.words[31]; }");
  expect_golden("types_pointers.c", p.c_or_errors());
}

TEST(Lower, LetAndForRanges) {
  Pipeline p(
      "BEGIN { let $s = 0; for ($i : 1..$1) { let $sq; $sq = $i * $i; $s += $sq; } @s = $s; }");
  expect_golden("let_for.c", p.c_or_errors());
}

TEST(Lower, ForOverAMapIsACallbackSharingAFrame) {
  Pipeline p(
      "BEGIN { @m[\"a\", 1] = count(); $t = 0; for ($kv : @m) { if ($kv.1 > 5) { break; } "
      "$t += $kv.1; } @t = $t; }");
  expect_golden("for_map.c", p.c_or_errors());
}

TEST(Lower, UstackKeysTakeTheEntryCallerAndReportNewProcesses) {
  Pipeline p("uprobe:/bin/sh:main { @[ustack(perf, 4), comm] = count(); }");
  expect_golden("ustack.c", p.c_or_errors());
}

TEST(Lower, StrftimeNtopAndCat) {
  Pipeline p(
      R"(uprobe:/bin/sh:main { printf("%s %s\n", strftime("%H:%M:%S.%f", nsecs), ntop(0x0100007f)); @[ntop(10, buf(arg0, 16))] = count(); cat("/proc/%d/status", pid); })");
  expect_golden("text_builtins.c", p.c_or_errors());
}

// Syntax trees, one feature each.
TEST(DumpAst, AngleBlocksComparisonsAndShifts) {
  Pipeline p("BEGIN < if (@x > 1) < @y = @x >> 1; > else { @y = -1 } >");
  ASSERT_EQ(p.errors(), "");
  expect_golden("angle_blocks.ast", ast::dump(*p.program));
}

TEST(DumpAst, LetForTuplesAndSizeof) {
  Pipeline p("BEGIN { let $t = (1, \"a\"); for ($i : 0..$1) { $n = sizeof($t) + $t.0; } }");
  ASSERT_EQ(p.errors(), "");
  expect_golden("let_for_tuple.ast", ast::dump(*p.program));
}

TEST(DumpAst, PredicatesAndSeveralAttachPoints) {
  Pipeline p("uprobe:/bin/a:f,\n  ur:/bin/a:\"g\" /pid == 42 && arg0 != 0/ { @[tid]++; }");
  ASSERT_EQ(p.errors(), "");
  expect_golden("attach_points.ast", ast::dump(*p.program));
}

// A catalog in which /bin/go is a Go program (register ABI or, as /bin/oldgo, stack ABI).
class FakeBinaries : public codegen::BinaryCatalog {
 public:
  Result<codegen::Type> type(const std::string &binary, const std::string &name) override {
    return Error("no type '" + name + "' in " + binary);
  }
  std::optional<codegen::Type> variable_type(const std::string &, const std::string &) override {
    return std::nullopt;
  }
  std::optional<codegen::BinaryFacts> facts(const std::string &binary) override {
    codegen::BinaryFacts f;
    f.go = binary == "/bin/go" || binary == "/bin/oldgo";
    f.go_register_abi = binary == "/bin/go" || binary == "/bin/stripped-go";
    f.go = f.go || binary == "/bin/stripped-go";
    if (binary == "/bin/go") f.goid_offset = 152;
    return f;
  }
  // /bin/go's main.greet(name string, n int32, f float64, p *T, tags []string, at Point) (int,
  // string); T {a int64; s string}, Point {x int32; name string} (whose registers are made up). /bin/stack's main.old(n int64) on the stack.
  Result<codegen::FunctionFacts> function(const std::string &binary,
                                          const std::string &function) override {
    using Kind = codegen::ValueFacts::Kind;
    auto value = [](std::string name, std::string type, Kind kind, uint32_t size, bool is_signed,
                    std::vector<std::string> registers, int64_t offset = 0,
                    std::string unreadable = "") {
      codegen::ValueFacts v;
      v.name = std::move(name);
      v.type_name = std::move(type);
      v.kind = kind;
      v.size = size;
      v.is_signed = is_signed;
      v.registers = std::move(registers);
      v.offset = offset;
      v.unreadable = std::move(unreadable);
      return v;
    };
    codegen::FunctionFacts facts;
    if (binary == "/bin/go" && function == "main.greet") {
      codegen::ValueFacts p = value("p", "*main.T", Kind::Pointer, 8, false, {"si"});
      p.members = {value("a", "int64", Kind::Integer, 8, true, {}, 0),
                   value("s", "string", Kind::GoString, 8, false, {}, 8)};
      codegen::ValueFacts tags = value("tags", "[]string", Kind::GoSlice, 8, false, {"di", "r8", "r9"});
      tags.element = {value("", "string", Kind::GoString, 8, false, {})};
      codegen::ValueFacts at = value("at", "main.Point", Kind::Struct, 8, false, {});
      at.members = {value("x", "int32", Kind::Integer, 4, true, {"r10"}),
                    value("name", "string", Kind::GoString, 8, false, {"r11", "ax"})};
      facts.params = {value("name", "string", Kind::GoString, 8, false, {"ax", "bx"}),
                      value("n", "int32", Kind::Integer, 4, true, {"cx"}),
                      value("f", "float64", Kind::Unreadable, 8, false, {}, 0, "it is in X0"),
                      p, tags, at};
      facts.results = {value("~r0", "int", Kind::Integer, 8, true, {"ax"}),
                       value("~r1", "string", Kind::GoString, 8, false, {"bx", "cx"})};
      return facts;
    }
    if (binary == "/bin/stack" && function == "main.old") {
      facts.params = {value("n", "int64", Kind::Integer, 8, true, {}, 8)};
      return facts;
    }
    return Error("no DWARF for function '" + function + "'");
  }
};

// The C of `script` analysed against FakeBinaries, or its rendered errors.
std::string result_of(const std::string &script) {
  FakeBinaries binaries;
  codegen::AnalyzeOptions options;
  options.binaries = &binaries;
  Pipeline p(script);
  auto sema = p.analyze(options);
  if (p.diags.has_errors()) return p.errors();
  return codegen::lower(*p.program, sema).c_source;
}

TEST(Lower, FunctionValuesByName) {
  std::string entry = result_of(
      "uprobe:/bin/go:main.greet { printf(\"%s %d %d %s\\n\", str(args.name), args.n, args.p.a, "
      "args.p->s); @ = args.name.len; }");
  EXPECT_NE(entry.find("ut_go_string(v0, ctx->ax, ctx->bx);"), std::string::npos) << entry;
  EXPECT_NE(entry.find("((s32)ctx->cx)"), std::string::npos) << entry;
  EXPECT_NE(entry.find("bpf_probe_read_user(&v1, 8, (void *)(ctx->si + 0));"), std::string::npos)
      << entry;
  EXPECT_NE(entry.find("(void *)((ctx->si + 8) + 8)"), std::string::npos) << entry;
  EXPECT_NE(entry.find("((s64)ctx->bx)"), std::string::npos) << entry;  // name.len
  std::string by_value = result_of(
      "uprobe:/bin/go:main.greet { printf(\"%d %s\", args.at.x, args.at.name); }");
  EXPECT_NE(by_value.find("((s32)ctx->r10)"), std::string::npos) << by_value;
  EXPECT_NE(by_value.find("ut_go_string(v0, ctx->r11, ctx->ax);"), std::string::npos) << by_value;
  EXPECT_NE(result_of("uprobe:/bin/go:main.greet { @ = args.at; }")
                .find("args.at (main.Point) is a struct: read one of its members (x, name), as "
                      "in args.at.x"),
            std::string::npos);
  std::string element = result_of("uprobe:/bin/go:main.greet { printf(\"%s\", args.tags[1]); }");
  EXPECT_NE(element.find("v0 = (u64)(1);"), std::string::npos) << element;
  EXPECT_NE(element.find("if (v0 < (u64)ctx->r8) {"), std::string::npos) << element;
  EXPECT_NE(element.find("bpf_probe_read_user(&v1, 8, (void *)(ctx->di + v0 * 16));"),
            std::string::npos)
      << element;
  EXPECT_NE(result_of("uprobe:/bin/go:main.greet { @ = args.n[0]; }")
                .find("args.n (int32) is not a Go slice: only slices' elements are read by index"),
            std::string::npos);
  EXPECT_NE(result_of("uprobe:/bin/go:main.greet { @ = args.tags[\"x\"]; }")
                .find("an index must be an integer, not string[2]"),
            std::string::npos);
  std::string ret = result_of("uretprobe:/bin/go:main.greet { printf(\"%d %s\", rets.0, rets.1); }");
  EXPECT_NE(ret.find("ut_go_string(v0, ctx->bx, ctx->cx);"), std::string::npos) << ret;
  std::string stack = result_of("uprobe:/bin/stack:main.old { @ = args.n; }");
  EXPECT_NE(stack.find("(void *)(PT_REGS_SP(ctx) + 8)"), std::string::npos) << stack;

  EXPECT_EQ(result_of("uprobe:/bin/go:main.greet { @ = args.f; }"),
            "stdin:1:33-39: ERROR: args.f (float64) cannot be read: it is in X0\n"
            "uprobe:/bin/go:main.greet { @ = args.f; }\n"
            "                                ~~~~~~\n");
  EXPECT_EQ(result_of("uprobe:/bin/go:main.greet { @ = args.nam; }"),
            "stdin:1:33-41: ERROR: main.greet has no parameter 'nam'\n"
            "uprobe:/bin/go:main.greet { @ = args.nam; }\n"
            "                                ~~~~~~~~\n"
            "HINT: did you mean 'name'?\n");
  EXPECT_NE(result_of("uretprobe:/bin/go:main.greet { @ = rets.5; }")
                .find("main.greet has no result '5'"),
            std::string::npos);
  EXPECT_NE(result_of("uretprobe:/bin/c:f { @ = rets.0; }")
                .find("rets.0: rets are a Go function's results; /bin/c is not a Go program"),
            std::string::npos);
  EXPECT_NE(result_of("uprobe:/bin/go:main.greet+4 { @ = args.n; }")
                .find("parameters are known at a function's entry only"),
            std::string::npos);
  EXPECT_NE(result_of("uprobe:/bin/go:main.* { @ = args.n; }").find("is a wildcard"),
            std::string::npos);
  EXPECT_NE(result_of("uprobe:/bin/c:nodebug { @ = args.n; }")
                .find("args.n in uprobe:/bin/c:nodebug: no DWARF for function 'nodebug'"),
            std::string::npos);
  EXPECT_NE(result_of("uprobe:/bin/go:main.greet { @ = args.p.zz; }")
                .find("args.p (*main.T) points to no member 'zz'"),
            std::string::npos);
}

TEST(Lower, ArgumentsFollowTheLanguageOfTheFunction) {
  FakeBinaries binaries;
  codegen::AnalyzeOptions options;
  options.binaries = &binaries;
  auto c_of = [&](const std::string &script) {
    Pipeline p(script);
    auto sema = p.analyze(options);
    EXPECT_FALSE(p.diags.has_errors()) << p.errors();
    return codegen::lower(*p.program, sema).c_source;
  };
  std::string go = c_of("uprobe:/bin/go:main.add { @ = arg0 + arg1 + arg8 + arg9; }");
  EXPECT_NE(go.find("(s64)ctx->ax"), std::string::npos) << go;
  EXPECT_NE(go.find("(s64)ctx->bx"), std::string::npos) << go;
  EXPECT_NE(go.find("(s64)ctx->r11"), std::string::npos) << go;
  EXPECT_NE(go.find("(void *)(PT_REGS_SP(ctx) + 8)"), std::string::npos) << go;  // arg9
  std::string old_go = c_of("uprobe:/bin/oldgo:main.add { @ = arg1; }");
  EXPECT_NE(old_go.find("(void *)(PT_REGS_SP(ctx) + 16)"), std::string::npos) << old_go;
  std::string c = c_of("uprobe:/bin/c:f { @ = arg0 + arg6; }");
  EXPECT_NE(c.find("(s64)PT_REGS_PARM1(ctx)"), std::string::npos) << c;
  EXPECT_NE(c.find("(void *)(PT_REGS_SP(ctx) + 8)"), std::string::npos) << c;  // arg6
}

TEST(Lower, GoidReadsTheGoroutineThroughR14) {
  EXPECT_NE(
      result_of("uretprobe:/bin/go:main.f { @[goid] = count(); }").find("(void *)(ctx->r14 + 152)"),
      std::string::npos);
  EXPECT_EQ(result_of("uprobe:/bin/c:f { @ = goid; }"),
            "stdin:1:23-27: ERROR: goid in uprobe:/bin/c:f: /bin/c is not a Go program\n"
            "uprobe:/bin/c:f { @ = goid; }\n"
            "                      ~~~~\n");
  EXPECT_NE(result_of("uprobe:/bin/oldgo:f { @ = goid; }").find("Go before 1.17"),
            std::string::npos);
  EXPECT_NE(result_of("uprobe:/bin/stripped-go:f { @ = goid; }")
                .find("where runtime.g keeps the goroutine id in /bin/stripped-go is unknown"),
            std::string::npos);
  EXPECT_NE(result_of("interval:s:1 { @ = goid; }")
                .find("the goid builtin can only be used in uprobes and uretprobes"),
            std::string::npos);
}

// duration: the return probe takes its call's start, which an entry probe utrace adds on the
// same function stamps; by goroutine and stack depth in Go, by thread and stack pointer in C.
TEST(Lower, DurationAddsAnEntryProbeThatStampsEachCall) {
  FakeBinaries binaries;
  codegen::AnalyzeOptions options;
  options.binaries = &binaries;
  Pipeline p("uretprobe:/bin/go:main.f { @ = duration; } uretprobe:/bin/c:f { @c = duration; }");
  auto sema = p.analyze(options);
  ASSERT_FALSE(p.diags.has_errors()) << p.errors();
  codegen::ProgramPlan plan = codegen::lower(*p.program, sema);
  ASSERT_EQ(plan.probes.size(), 4u);
  EXPECT_FALSE(plan.probes[1].helper);
  EXPECT_TRUE(plan.probes[1].times_calls);
  for (size_t i : {2, 3}) {
    EXPECT_TRUE(plan.probes[i].helper);
    EXPECT_EQ(plan.probes[i].kind, codegen::ProbeKind::Uprobe);
    EXPECT_EQ(plan.probes[i].c_function, plan.probes[i - 2].c_function + "_entry");
  }
  EXPECT_EQ(plan.probes[2].name, "uprobe:/bin/go:main.f");
  const std::string &c = plan.c_source;
  EXPECT_NE(c.find("call_key.depth = stack_hi - (PT_REGS_SP(ctx) - UT_ENTRY_SP_0);"),
            std::string::npos) << c;
  EXPECT_NE(c.find("call_key.depth = stack_hi - (PT_REGS_SP(ctx));"), std::string::npos) << c;
  EXPECT_NE(c.find("call_key.depth = PT_REGS_SP(ctx) - UT_ENTRY_SP_1;"), std::string::npos) << c;
  EXPECT_NE(c.find("int probe_1_entry(struct pt_regs *ctx)"), std::string::npos) << c;
  EXPECT_NE(c.find("ut_call_starts.update(&call_key, &now);"), std::string::npos) << c;
}

TEST(Lower, WritesThroughAPointerWithBpfOrFromUserSpace) {
  const std::string script = R"(uprobe:/bin/c:f { *(int32 *)uaddr("x") = 7; })";
  Pipeline p(script);
  codegen::AnalyzeOptions options;
  options.unsafe = true;
  auto sema = p.analyze(options);
  ASSERT_FALSE(p.diags.has_errors()) << p.errors();
  codegen::LowerOptions bpf;
  auto with_bpf = codegen::lower(*p.program, sema, bpf);
  EXPECT_TRUE(with_bpf.writes_user_memory);
  EXPECT_NE(with_bpf.c_source.find("bpf_probe_write_user("), std::string::npos);
  codegen::LowerOptions user;
  user.bpf_writes_user_memory = false;
  auto from_user = codegen::lower(*p.program, sema, user);
  EXPECT_EQ(from_user.c_source.find("bpf_probe_write_user("), std::string::npos);
  ASSERT_EQ(from_user.events.size(), 1u);
  EXPECT_EQ(from_user.events[0].kind, codegen::EventKind::WriteMemory);
  EXPECT_EQ(from_user.events[0].fields.size(), 4u);  // pid, address, value, size
}

TEST(Lower, OnlyAnAddressTakesAWrite) {
  codegen::AnalyzeOptions options;
  options.unsafe = true;
  auto errors_of = [&](const std::string &script) {
    Pipeline p(script);
    p.analyze(options);
    return p.errors();
  };
  EXPECT_EQ(errors_of("uprobe:/bin/c:f { 1 = 2; }"),
            "stdin:1:19-20: ERROR: cannot assign to this: only maps, variables and *ADDRESS "
            "(with --unsafe) take a value\n"
            "uprobe:/bin/c:f { 1 = 2; }\n"
            "                  ~\n");
  EXPECT_NE(errors_of("interval:s:1 { *(int64 *)0x1000 = 2; }")
                .find("memory can only be written in uprobes and uretprobes"),
            std::string::npos);
  EXPECT_NE(errors_of("uprobe:/bin/c:f { *(int64 *)arg0 = \"x\"; }")
                .find("only an integer can be written to memory, not string"),
            std::string::npos);
}

TEST(Lower, SymbolsArePlannedForTheRuntime) {
  Pipeline p(
      R"(uprobe:/tmp/counter:main.doWork { @ = *uaddr("main.counter"); @n = *uaddr("main.counter"); })");
  ASSERT_EQ(p.errors(), "");
  auto sema = p.analyze();
  auto plan = codegen::lower(*p.program, sema);
  ASSERT_EQ(plan.symbols.size(), 1u);  // one per binary and symbol
  EXPECT_EQ(plan.symbols[0].binary, "/tmp/counter");
  EXPECT_EQ(plan.symbols[0].symbol, "main.counter");
  ASSERT_EQ(plan.probes.size(), 1u);
  EXPECT_EQ(plan.probes[0].name, "uprobe:/tmp/counter:main.doWork");
  EXPECT_EQ(plan.maps.size(), 2u);
  EXPECT_EQ(plan.maps[0].name, "@");
  EXPECT_EQ(plan.maps[1].name, "@n");
}

TEST(Lower, UsdtArgumentsAreMacrosTheRuntimeDefines) {
  Pipeline p("BEGIN { } usdt:/bin/a:prov:tick { @[probe] = sum(arg0 + arg2); }");
  ASSERT_EQ(p.errors(), "");
  expect_golden("usdt.c", p.c_or_errors());
  auto sema = p.analyze();
  auto plan = codegen::lower(*p.program, sema);
  ASSERT_EQ(plan.probes.size(), 2u);
  EXPECT_EQ(plan.probes[1].kind, codegen::ProbeKind::Usdt);
  EXPECT_EQ(plan.probes[1].name, "usdt:/bin/a:prov:tick");
  EXPECT_EQ(plan.probes[1].binary, "/bin/a");
  EXPECT_EQ(plan.probes[1].symbol, "prov:tick");
  EXPECT_EQ(plan.probes[1].usdt_args, 3u);  // arg0 .. arg2
  EXPECT_EQ(plan.probes[0].usdt_args, 0u);
}

}  // namespace
}  // namespace ut
