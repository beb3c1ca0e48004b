#include <gtest/gtest.h>

#include "support/strings.h"
#include "tests/unit/test_support.h"

namespace ut {
namespace {

using testing::errors_of;
using testing::Pipeline;

TEST(Analyze, SeedScriptIsClean) {
  EXPECT_EQ(errors_of(R"(uprobe:/tmp/counter:"main.doWork" { @ = *uaddr("main.counter"); }
interval:s:1 { printf("counter: %d\t %d ops/sec\n", @, @-@prev); @prev = @; })"),
            "");
}

TEST(Analyze, MapTypesComeFromTheFirstAssignmentAnywhere) {
  // @prev is read before the probe that assigns it.
  EXPECT_EQ(errors_of("interval:s:1 { printf(\"%d\\n\", @prev); } BEGIN { @prev = 1; }"), "");
}

TEST(Analyze, AMapMayBeReadInItsOwnFirstAssignment) {
  EXPECT_EQ(errors_of("interval:s:1 /@n < 10/ { @n = @n + 1; $x = @n * 2; @m[$x] = $x; }"), "");
  EXPECT_EQ(errors_of("BEGIN { @a = @never; }"),
            "stdin:1:14-20: ERROR: Undefined map: @never\n"
            "BEGIN { @a = @never; }\n"
            "             ~~~~~~\n");
}

TEST(Analyze, UnknownFunctionWithHint) {
  EXPECT_EQ(errors_of("BEGIN { cout(1); }"),
            "stdin:1:9-13: ERROR: Unknown function: cout\n"
            "BEGIN { cout(1); }\n"
            "        ~~~~\n"
            "HINT: did you mean 'count'?\n");
}

TEST(Analyze, TypeMismatchOnVariable) {
  EXPECT_EQ(errors_of(R"(BEGIN { $x = 1; $x = "str"; })"),
            "stdin:1:17-19: ERROR: Type mismatch for $x: trying to assign value of type "
            "'string[4]' when variable already contains a value of type 'int64'\n"
            "BEGIN { $x = 1; $x = \"str\"; }\n"
            "                ~~\n");
}

TEST(Aggregations, OnlyChangeThroughTheirFunction) {
  EXPECT_EQ(errors_of("BEGIN { @c = count(); @c++; }"),
            "stdin:1:23-27: ERROR: @c holds a count() aggregation: it only changes by count(...), "
            "not by ++, -- or op=\n"
            "BEGIN { @c = count(); @c++; }\n"
            "                      ~~~~\n");
  EXPECT_NE(errors_of("BEGIN { @s = sum(1); @s += 2; }").find("@s holds a sum() aggregation"),
            std::string::npos);
  EXPECT_NE(errors_of("BEGIN { $x = count(); }").find("count() must be assigned to a map"),
            std::string::npos);
  EXPECT_NE(errors_of("BEGIN { @h = hist(1); @x = @h; }")
                .find("@h holds a hist() aggregation, which can be printed but not read"),
            std::string::npos);
}

TEST(Aggregations, LenTakesAWholeMap) {
  EXPECT_EQ(errors_of("BEGIN { @m[1] = 1; @x = len(@m); }"), "");
  EXPECT_NE(errors_of("BEGIN { @m[1] = 1; @x = len(@m[1]); }").find("len() acts on a whole map"),
            std::string::npos);
}

TEST(Analyze, AMapKeepsTheTypeOfItsFirstAssignment) {
  EXPECT_EQ(errors_of("BEGIN { @s = comm; @s = \"a much longer string than comm\"; }"), "");
  EXPECT_EQ(errors_of(R"(BEGIN { @x = 1; @x = "str"; })"),
            "stdin:1:17-19: ERROR: Type mismatch for @x: trying to assign value of type "
            "'string[4]' when map already contains a value of type 'int64'\n"
            "BEGIN { @x = 1; @x = \"str\"; }\n"
            "                ~~\n");
}

TEST(Analyze, UndefinedMapAndVariable) {
  EXPECT_EQ(errors_of("BEGIN { @a = @nope + $y; }"),
            "stdin:1:14-19: ERROR: Undefined map: @nope\n"
            "BEGIN { @a = @nope + $y; }\n"
            "             ~~~~~\n"
            "stdin:1:22-24: ERROR: Undefined or undeclared variable: $y\n"
            "BEGIN { @a = @nope + $y; }\n"
            "                     ~~\n");
}

TEST(Analyze, PrintfChecksArgumentsAgainstTheFormat) {
  EXPECT_EQ(errors_of(R"(BEGIN { printf("%d %d\n", 1); })"),
            "stdin:1:9-29: ERROR: printf: Not enough arguments for format string (1 supplied, 2 "
            "expected)\n"
            "BEGIN { printf(\"%d %d\\n\", 1); }\n"
            "        ~~~~~~~~~~~~~~~~~~~~\n");
  EXPECT_NE(errors_of(R"(BEGIN { printf("%s\n", 1); })")
                .find("printf: %s specifier expects a value of type string (integer supplied)"),
            std::string::npos);
  EXPECT_NE(errors_of(R"(BEGIN { printf("%d\n", "a"); })")
                .find("printf: %d specifier expects a value of type integer (string supplied)"),
            std::string::npos);
}

TEST(Analyze, UaddrOnlyInUprobes) {
  EXPECT_NE(
      errors_of(R"(BEGIN { @ = *uaddr("x"); })").find("uaddr can only be used with u(ret)probes"),
      std::string::npos);
}

TEST(Analyze, BuiltinInTheWrongProbeKind) {
  EXPECT_NE(
      errors_of("interval:s:1 { @ = arg0; }").find("the arg0 builtin can only be used in uprobes"),
      std::string::npos);
  EXPECT_NE(errors_of("uprobe:/b:f { @ = retval; }")
                .find("retval builtin can only be used in uretprobes"),
            std::string::npos);
}

TEST(Analyze, UnknownProbeTypeSuggestsTheNearest) {
  EXPECT_EQ(errors_of("uprob:/b:f { @ = 1; }"),
            "stdin:1:1-11: ERROR: unknown probe type 'uprob'\n"
            "uprob:/b:f { @ = 1; }\n"
            "~~~~~~~~~~\n"
            "HINT: did you mean 'uprobe'?\n");
}

TEST(Analyze, IntervalUnitsAndCounts) {
  Pipeline p("interval:ms:250 { @ = 1; } interval:hz:4 { @ = 2; }");
  auto sema = p.analyze();
  ASSERT_EQ(p.errors(), "");
  EXPECT_EQ(sema.probes[0].attach_points[0].period_ns, 250000000u);
  EXPECT_EQ(sema.probes[1].attach_points[0].period_ns, 250000000u);
  EXPECT_NE(errors_of("interval:m:1 { @ = 1; }").find("unknown interval unit 'm'"),
            std::string::npos);
  EXPECT_NE(errors_of("interval:s:x { @ = 1; }").find("interval count must be a positive integer"),
            std::string::npos);
}

TEST(Analyze, AllErrorsAreReportedInOneRun) {
  Pipeline p("BEGIN { foo(); @a = $b; } interval:s:1 { printf(\"%s\", 1); }");
  p.analyze();
  EXPECT_EQ(p.diags.all().size(), 3u) << p.errors();
}

TEST(Scoping, VariablesLiveInTheBlockThatDeclaresThem) {
  EXPECT_EQ(errors_of("BEGIN { if (1) { $x = 5; } printf(\"%d\", $x); }"),
            "stdin:1:41-43: ERROR: Undefined or undeclared variable: $x\n"
            "BEGIN { if (1) { $x = 5; } printf(\"%d\", $x); }\n"
            "                                        ~~\n");
  EXPECT_EQ(errors_of("BEGIN { $x = 1; if (1) { $x = 2; } printf(\"%d\", $x); }"), "");
}

TEST(Scoping, LetDeclaresAndRefusesShadowing) {
  EXPECT_EQ(errors_of("BEGIN { let $a; let $b = 2; $a = $b; }"), "");
  EXPECT_EQ(errors_of("BEGIN { $x = 1; if (1) { let $x = 2; } }"),
            "stdin:1:30-32: ERROR: Variable $x is already declared in this scope\n"
            "BEGIN { $x = 1; if (1) { let $x = 2; } }\n"
            "                             ~~\n");
  EXPECT_NE(errors_of("BEGIN { let $x; printf(\"%d\", $x); }")
                .find("Variable $x is used before it is assigned a value"),
            std::string::npos);
}

TEST(Scoping, SameNameInSiblingBlocksMayChangeType) {
  Pipeline p("BEGIN { if (1) { $v = 1; } else { $v = \"s\"; } }");
  auto sema = p.analyze();
  ASSERT_EQ(p.errors(), "");
  ASSERT_EQ(sema.probes[0].variables.size(), 2u);
  EXPECT_EQ(sema.probes[0].variables[0].c_name, "var_v");
  EXPECT_EQ(sema.probes[0].variables[1].c_name, "var_v_1");
}

TEST(Tuples, IndexesAreChecked) {
  EXPECT_EQ(errors_of("BEGIN { $t = (1, \"a\"); @x = $t.0; $s = $t.1; }"), "");
  EXPECT_EQ(errors_of("BEGIN { $t = (1, 2); @x = $t.5; }"),
            "stdin:1:27-31: ERROR: tuple index 5 is out of range: the tuple has 2 elements\n"
            "BEGIN { $t = (1, 2); @x = $t.5; }\n"
            "                          ~~~~\n");
  EXPECT_NE(errors_of("BEGIN { $x = 1; @y = $x.name; }")
                .find("cannot access field 'name' of a value of type int64"),
            std::string::npos);
}

TEST(Strings, GlobMatchesLikeAShell) {
  EXPECT_TRUE(glob_match("main.*", "main.doWork"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("m?in", "main"));
  EXPECT_TRUE(glob_match("*fault*", "page-faults"));
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
  EXPECT_FALSE(glob_match("main.*", "runtime.main"));
  EXPECT_FALSE(glob_match("", "x"));
}

TEST(Strings, OnlyEqualityComparesStrings) {
  EXPECT_EQ(errors_of("BEGIN { @a = comm == \"x\"; @b = \"a\" != \"b\"; }"), "");
  EXPECT_NE(errors_of("BEGIN { @a = comm < \"x\"; }")
                .find("Type mismatch for '<': comparing 'string[16]' with 'string[2]'"),
            std::string::npos);
}

TEST(Scoping, ALetNeverAssignedCompiles) {
  Pipeline p("BEGIN { let $x; exit(); }");
  EXPECT_EQ(p.c_or_errors().find("var_x"), std::string::npos);
}

TEST(Lexer, FractionalDurationsAreExplained) {
  EXPECT_NE(errors_of("BEGIN { @x = 1.5s; }").find("numbers with a fraction are not supported"),
            std::string::npos);
}

TEST(ForLoops, RangeVariableIsScopedToTheLoop) {
  EXPECT_EQ(errors_of("BEGIN { for ($i : 0..3) { @s += $i; } }"), "");
  EXPECT_NE(errors_of("BEGIN { for ($i : 0..3) { } @x = $i; }")
                .find("Undefined or undeclared variable: $i"),
            std::string::npos);
  EXPECT_NE(errors_of("BEGIN { for ($i : 0..\"a\") { } }").find("a for range takes integers"),
            std::string::npos);
}

TEST(Analyze, BufIsPrintedWithR) {
  EXPECT_EQ(
      errors_of(
          R"(uprobe:/bin/sh:main { printf("%r %rx %rh\n", buf(arg0, 4), buf(arg0, arg1), buf(arg0, 64)); print(buf(arg0, 1)); })"),
      "");
  std::string e = errors_of(
      R"(uprobe:/bin/sh:main { printf("%rx %d\n", 1, buf(arg0, 4)); $b = buf(arg0, 65); })");
  EXPECT_NE(e.find("printf: %rx specifier expects a value of type buffer (integer supplied)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("printf: %d specifier expects a value of type integer (buffer supplied)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("buf() reads at most 64 bytes"), std::string::npos) << e;
}

TEST(Analyze, KernelProbesParseAndAreRefusedWithTheReason) {
  using testing::Pipeline;
  Pipeline p("kprobe:vfs_read { @ = count(); }\nkr:vfs_read { @r = count(); }");
  p.analyze({{}, false, /*kernel_has_kprobes=*/false});
  EXPECT_EQ(p.errors(),
            "stdin:1:1-16: ERROR: kprobe:vfs_read: this kernel has no kprobe support (it was built "
            "without CONFIG_KPROBES), so kprobe probes cannot attach\n"
            "kprobe:vfs_read { @ = count(); }\n"
            "~~~~~~~~~~~~~~~\n"
            "HINT: trace a user-space function with uprobe:BINARY:FUNCTION\n"
            "stdin:2:1-12: ERROR: kretprobe:vfs_read: this kernel has no kprobe support (it was "
            "built without CONFIG_KPROBES), so kretprobe probes cannot attach\n"
            "kr:vfs_read { @r = count(); }\n"
            "~~~~~~~~~~~\n"
            "HINT: trace a user-space function with uprobe:BINARY:FUNCTION\n");
  Pipeline q("kprobe:vfs_read { }");
  q.analyze({{}, false, /*kernel_has_kprobes=*/true});
  EXPECT_NE(q.errors().find("kernel probes are not supported: utrace traces user-space programs"),
            std::string::npos);
  EXPECT_NE(errors_of("kprobe { }").find("kprobe takes a kernel function: kprobe:vfs_read"),
            std::string::npos);
}

TEST(Analyze, ProfileAndSoftwareAttachPoints) {
  EXPECT_EQ(errors_of("profile:hz:99 { @[ustack, reg(\"ip\")] = count(); } p:ms:10 { } "
                      "software:page-faults:100 { } s:cs { } software:cpu-clock { }"),
            "");
  std::string e =
      errors_of("software:nope { } software:page-faults:x { } profile:hz:0 { } p:d:1 { }");
  for (const char *expected :
       {"unknown software event 'nope'", "software count must be a positive integer, not 'x'",
        "profile count must be a positive integer, not '0'", "unknown profile unit 'd'"})
    EXPECT_NE(e.find(expected), std::string::npos) << expected << "\n" << e;
}

TEST(Analyze, StringAndByteFunctionsCheckTheirArguments) {
  std::string e = errors_of(
      "BEGIN { $a = strncmp(1, \"x\", 1); $b = strncmp(\"a\", \"b\", $a); $c = strcontains(\"a\", "
      "2); "
      "$d = bswap(\"s\"); }");
  for (const char *expected :
       {"strncmp() compares strings, not int64", "strncmp() length must be an integer literal",
        "strcontains() takes strings, not int64", "bswap() takes an integer, not string[2]"})
    EXPECT_NE(e.find(expected), std::string::npos) << expected << "\n" << e;
}

TEST(Analyze, UprobeOffsetsAndAddressesParse) {
  EXPECT_EQ(errors_of("uprobe:/bin/sh:main+12 { } uprobe:/bin/sh:main+0x1c { } "
                      "uprobe:/bin/sh:0x401136 { } uretprobe:/bin/sh:main+0 { }"),
            "");
  std::string e = errors_of("uprobe:/bin/sh:main+zz { } uretprobe:/bin/sh:main+4 { }");
  EXPECT_NE(e.find("the offset in 'main+zz' must be a number (main+12, main+0x1c)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("a uretprobe goes on a whole function, not at an offset into it"),
            std::string::npos)
      << e;
}

TEST(Analyze, RegTakesAnX86RegisterName) {
  EXPECT_EQ(
      errors_of(R"(uprobe:/bin/sh:main { @a = usym(reg("ip")); @b = reg("sp") + reg("r15"); })"),
      "");
  std::string e = errors_of(
      R"(uprobe:/bin/sh:main { $a = reg("ipp"); $b = reg(1); } BEGIN { $c = reg("ip"); $f = func; })");
  EXPECT_NE(e.find("'ipp' is not a valid register on this architecture (x86_64)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("HINT: did you mean 'ip'?"), std::string::npos) << e;
  EXPECT_NE(e.find("reg() takes a register name as a string literal"), std::string::npos) << e;
  EXPECT_NE(
      e.find("reg() can only be used in uprobes, uretprobes, usdt, interval, profile and software "
             "probes"),
      std::string::npos)
      << e;
  EXPECT_NE(e.find("the func builtin can only be used in uprobes and uretprobes"),
            std::string::npos)
      << e;
}

TEST(Analyze, UsdtAttachPoints) {
  EXPECT_EQ(errors_of("usdt:/bin/a:prov:name, U:/bin/a:name, usdt:/bin/a:prov:* { @[probe] = "
                      "arg0 + arg9; @s[ustack, reg(\"sp\")] = count(); }"),
            "");
  EXPECT_EQ(errors_of("usdt:/bin/a { }"),
            "stdin:1:1-12: ERROR: usdt takes a binary, a provider and a probe name: "
            "usdt:/path/to/binary:provider:name (or usdt:/path/to/binary:name when the name is "
            "in one provider only)\n"
            "usdt:/bin/a { }\n"
            "~~~~~~~~~~~\n");
  EXPECT_NE(errors_of("U:/bin/a::name { }").find("ERROR: U takes a binary, a provider"),
            std::string::npos);
  EXPECT_EQ(errors_of("interval:s:1 { @ = arg6; }"),
            "stdin:1:20-24: ERROR: the arg6 builtin can only be used in uprobes and usdt probes\n"
            "interval:s:1 { @ = arg6; }\n"
            "                   ~~~~\n");
  EXPECT_NE(errors_of("usdt:/bin/a:p:n { @ = retval; }")
                .find("the retval builtin can only be used in uretprobes"),
            std::string::npos);
}

TEST(Analyze, UstackTakesAModeAndALimit) {
  EXPECT_EQ(
      errors_of(
          R"(uprobe:/bin/sh:main { @[ustack] = count(); @p[ustack(perf, 3), comm] = count(); @l = ustack(5); printf("%s", ustack(bpftrace)); print(ustack); })"),
      "");
  std::string e = errors_of(
      "uprobe:/bin/sh:main { @a = ustack(raw); @b = ustack(0); @c = ustack(3, perf); @m[1] = 1; "
      "for ($kv : @m) { @d = ustack; @e = ustack(2); } } BEGIN { @f = ustack; }");
  for (const char *expected :
       {"ustack() mode must be bpftrace or perf, not 'raw'",
        "ustack() limit must be between 1 and 127",
        "ustack() takes a mode (bpftrace or perf) and a frame limit (an integer)",
        "ustack cannot be read in the body of a for loop over a map",
        "ustack() cannot be used in the body of a for loop over a map",
        "the ustack builtin can only be used in uprobes, uretprobes, usdt, interval, profile, "
        "software and tracepoint probes"})
    EXPECT_NE(e.find(expected), std::string::npos) << expected << "\n" << e;
}

TEST(Aggregations, PrintOfOneEntryIsItsValue) {
  EXPECT_EQ(
      errors_of(
          R"(BEGIN { @c["a"] = count(); @t[1, 2] = (3, "x"); print(@c["a"]); print(@t[1, 2]); })"),
      "");
  std::string e = errors_of("BEGIN { @h[1] = hist(3); print(@h[1]); @m[1] = 1; print(@m[1], 2); }");
  EXPECT_NE(e.find("print() of one entry of @h is not possible: it holds a hist() aggregation"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("print() of one map entry takes no top or divisor"), std::string::npos) << e;
}

TEST(ForLoops, OverAMapGiveKeyAndValue) {
  EXPECT_EQ(errors_of(R"(BEGIN { @m["a", 1] = count(); @n[1] = "s"; $t = 0;
                        for ($kv : @m) { $t += $kv.1; printf("%s %d\n", $kv.0.0, $kv.0.1); }
                        for ($kv : @n) { printf("%d %s\n", $kv.0, $kv.1); break; } })"),
            "");
}

TEST(ForLoops, OverAMapRefusesWhatItCannotWalk) {
  EXPECT_EQ(errors_of("BEGIN { @h[1] = hist(5); for ($kv : @h) { } }"),
            "stdin:1:37-39: ERROR: a for loop cannot iterate over @h: it holds a hist() "
            "aggregation\n"
            "BEGIN { @h[1] = hist(5); for ($kv : @h) { } }\n"
            "                                    ~~\n");
  EXPECT_NE(errors_of("BEGIN { @s = 1; for ($kv : @s) { } }")
                .find("a for loop needs a map with keys; @s has none"),
            std::string::npos);
  EXPECT_NE(errors_of("BEGIN { @s[1] = 1; for ($kv : @s[1]) { } }")
                .find("a for loop takes a range (a..b) or a whole map (@name)"),
            std::string::npos);
  EXPECT_NE(errors_of("BEGIN { for ($kv : @nope) { } }").find("Undefined map: @nope"),
            std::string::npos);
}

TEST(ForLoops, OverAMapHaveNoProbeRegisters) {
  std::string errors =
      errors_of("uprobe:/bin/sh:main { @m[1] = 1; $a = arg0; for ($kv : @m) { @x = arg1; } }");
  EXPECT_NE(errors.find("arg1 cannot be read in the body of a for loop over a map"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("HINT: read it into a variable before the loop"), std::string::npos);
  EXPECT_EQ(errors.find("ERROR"), errors.rfind("ERROR")) << "arg0 before the loop is fine";
}

TEST(TextBuiltins, StrftimeTakesALiteralFormatAndNanoseconds) {
  EXPECT_EQ(
      errors_of(
          R"(BEGIN { @a = strftime("%H:%M:%S.%f", nsecs); @a = strftime("%Y", nsecs - 5); @k[strftime("%s", 0)] = 1; printf("%s\n", @a); print(@a); })"),
      "");
  EXPECT_EQ(errors_of(R"(BEGIN { $f = "%Y"; $t = strftime($f, nsecs); })"),
            "stdin:1:34-36: ERROR: strftime() takes a format as a string literal\n"
            "BEGIN { $f = \"%Y\"; $t = strftime($f, nsecs); }\n"
            "                                 ~~\n");
  EXPECT_EQ(errors_of(R"(BEGIN { $t = strftime("%Y", comm); })"),
            "stdin:1:29-33: ERROR: strftime() takes a time in nanoseconds (as nsecs gives), not "
            "string[16]\n"
            "BEGIN { $t = strftime(\"%Y\", comm); }\n"
            "                            ~~~~\n");
  EXPECT_NE(errors_of(R"(BEGIN { $t = strftime("%Y"); })")
                .find("strftime() takes 2 arguments (1 provided)"),
            std::string::npos);
  EXPECT_NE(errors_of(R"(BEGIN { printf("%d\n", strftime("%Y", nsecs)); })")
                .find("printf: %d specifier expects a value of type integer (timestamp supplied)"),
            std::string::npos);
}

TEST(TextBuiltins, NtopTakesAnIntegerOrA4Or16ByteBuffer) {
  EXPECT_EQ(
      errors_of(
          R"(uprobe:/bin/sh:main { @[ntop(arg0)] = count(); $b = buf(arg1, 16); printf("%s %s %s\n", ntop(2, 0x0100007f), ntop($b), ntop(10, buf(arg1, 16))); print(ntop(buf(arg0, 4))); })"),
      "");
  EXPECT_EQ(errors_of(R"(BEGIN { $a = ntop("10.0.0.1"); })"),
            "stdin:1:19-29: ERROR: ntop() expects an integer or buffer argument, got string[9]\n"
            "BEGIN { $a = ntop(\"10.0.0.1\"); }\n"
            "                  ~~~~~~~~~~\n");
  EXPECT_EQ(errors_of(R"(uprobe:/bin/sh:main { $a = ntop(buf(arg0, 8)); })"),
            "stdin:1:33-45: ERROR: ntop() argument must be 4 or 16 bytes in size\n"
            "uprobe:/bin/sh:main { $a = ntop(buf(arg0, 8)); }\n"
            "                                ~~~~~~~~~~~~\n");
  EXPECT_EQ(errors_of(R"(BEGIN { $a = ntop(3, 1); $b = ntop(comm, 1); })"),
            "stdin:1:19-20: ERROR: ntop() address family must be 2 (AF_INET) or 10 (AF_INET6)\n"
            "BEGIN { $a = ntop(3, 1); $b = ntop(comm, 1); }\n"
            "                  ~\n"
            "stdin:1:36-40: ERROR: ntop() takes an address family (2 for AF_INET, 10 for "
            "AF_INET6), not string[16]\n"
            "BEGIN { $a = ntop(3, 1); $b = ntop(comm, 1); }\n"
            "                                   ~~~~\n");
}

TEST(TextBuiltins, CatFormatsLikePrintfAndIsSafe) {
  EXPECT_EQ(errors_of(R"(BEGIN { cat("/proc/%d/status", pid); cat("/etc/hostname"); })"), "");
  EXPECT_EQ(errors_of(R"(BEGIN { cat("/proc/%d/%s", pid); })"),
            "stdin:1:9-32: ERROR: printf: Not enough arguments for format string (1 supplied, 2 "
            "expected)\n"
            "BEGIN { cat(\"/proc/%d/%s\", pid); }\n"
            "        ~~~~~~~~~~~~~~~~~~~~~~~\n");
  EXPECT_NE(errors_of(R"(BEGIN { $f = "/etc/hostname"; cat($f); })")
                .find("the first argument must be a string literal"),
            std::string::npos);
}

TEST(Builtins, StrTakesALengthKnownAtRunTimeAndAddressSpaceMarks) {
  EXPECT_EQ(errors_of("uprobe:/bin/a:f { $s = str(arg0, arg1); $t = str(uptr(arg0), 4); "
                      "$p = (int32 *)kptr(arg0); }"),
            "");
  EXPECT_EQ(errors_of("uprobe:/bin/a:f { $s = str(arg0, \"x\"); }"),
            "stdin:1:34-37: ERROR: str() length must be an integer, not string[2]\n"
            "uprobe:/bin/a:f { $s = str(arg0, \"x\"); }\n"
            "                                 ~~~\n");
  EXPECT_EQ(errors_of("BEGIN { $p = uptr(\"x\"); }"),
            "stdin:1:19-22: ERROR: uptr() takes an integer or a pointer, not string[2]\n"
            "BEGIN { $p = uptr(\"x\"); }\n"
            "                  ~~~\n");
}

TEST(Builtins, PtonTakesAnAddressLiteral) {
  EXPECT_EQ(errors_of("BEGIN { @a = pton(\"nope\"); @b = pton(\"::1\"); }"),
            "stdin:1:19-25: ERROR: pton() expects an IPv4 or IPv6 address, not \"nope\"\n"
            "BEGIN { @a = pton(\"nope\"); @b = pton(\"::1\"); }\n"
            "                  ~~~~~~\n");
}

TEST(Analyze, ACallWithoutAValueIsNotAssigned) {
  EXPECT_EQ(errors_of("BEGIN { $x = printf(\"a\\n\"); @y = $x; }"),
            "stdin:1:14-27: ERROR: this gives no value to assign\n"
            "BEGIN { $x = printf(\"a\\n\"); @y = $x; }\n"
            "             ~~~~~~~~~~~~~\n");
  EXPECT_EQ(errors_of("BEGIN { pid ? printf(\"a\\n\") : exit(); unroll($1) { } }"),
            "stdin:1:46-48: ERROR: unroll count must be an integer literal\n"
            "BEGIN { pid ? printf(\"a\\n\") : exit(); unroll($1) { } }\n"
            "                                             ~~\n");
}

}  // namespace
}  // namespace ut
