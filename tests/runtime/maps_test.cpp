// Runtime tests of maps and aggregations: the whole printed text, as bpftrace prints it (or as
// the man page says we deliberately differ).
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

class Maps : public Runtime {};

TEST_F(Maps, ScalarAggregationsAndKeyedMapsPrintLikeBpftrace) {
  RunResult r = run_quiet(
      R"(BEGIN { @c = count(); @c = count(); @c = count(); @s = sum(10); @s = sum(-3); @a = avg(10); @a = avg(21); @mn = min(5); @mn = min(-2); @st = stats(10); @st = stats(20); @st = stats(33); @byname["zeta"] = count(); @byname["alpha"] = count(); @byname["alpha"] = count(); @k[1, "a"] = 5; @k[2, "b"] = 1; @k[1, "b"] = 3; @int = 42; @neg = -7; exit(); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "\n\n"
            "@a: 15\n"
            "\n"
            "@byname[zeta]: 1\n"
            "@byname[alpha]: 2\n"
            "@c: 3\n"
            "@int: 42\n"
            "@k[2, b]: 1\n"
            "@k[1, b]: 3\n"
            "@k[1, a]: 5\n"
            "@mn: -2\n"
            "@neg: -7\n"
            "@s: 7\n"
            "@st: count 3, average 21, total 63\n"
            "\n");
}

TEST_F(Maps, MaxOfOnlyNegativeValuesAndAvgTruncation) {
  // bpftrace 0.17 prints an empty @mx here.
  RunResult r =
      run_quiet("BEGIN { @mx = max(-5); @mx = max(-7); @av = avg(-10); @av = avg(3); exit(); }");
  EXPECT_EQ(r.out, "\n\n@av: -3\n\n@mx: -5\n") << r.err;
}

TEST_F(Maps, HistogramsAcrossTheWhole64BitRange) {
  RunResult r = run_quiet(
      "BEGIN { @h = hist(-5); @h = hist(0); @h = hist(0); @h = hist(1); @h = hist(2); @h = "
      "hist(3); "
      "@h = hist(1500); @h = hist(5000000000); @hk[\"y\"] = hist(600); @hk[\"y\"] = hist(700); "
      "@hk[\"x\"] = hist(10); exit(); }");
  EXPECT_EQ(r.out,
            "\n\n"
            "@h:\n"
            "(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
            "[0]                    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
            "[2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "[4, 8)                 0 |                                                    |\n"
            "[8, 16)                0 |                                                    |\n"
            "[16, 32)               0 |                                                    |\n"
            "[32, 64)               0 |                                                    |\n"
            "[64, 128)              0 |                                                    |\n"
            "[128, 256)             0 |                                                    |\n"
            "[256, 512)             0 |                                                    |\n"
            "[512, 1K)              0 |                                                    |\n"
            "[1K, 2K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
            "[2K, 4K)               0 |                                                    |\n"
            "[4K, 8K)               0 |                                                    |\n"
            "[8K, 16K)              0 |                                                    |\n"
            "[16K, 32K)             0 |                                                    |\n"
            "[32K, 64K)             0 |                                                    |\n"
            "[64K, 128K)            0 |                                                    |\n"
            "[128K, 256K)           0 |                                                    |\n"
            "[256K, 512K)           0 |                                                    |\n"
            "[512K, 1M)             0 |                                                    |\n"
            "[1M, 2M)               0 |                                                    |\n"
            "[2M, 4M)               0 |                                                    |\n"
            "[4M, 8M)               0 |                                                    |\n"
            "[8M, 16M)              0 |                                                    |\n"
            "[16M, 32M)             0 |                                                    |\n"
            "[32M, 64M)             0 |                                                    |\n"
            "[64M, 128M)            0 |                                                    |\n"
            "[128M, 256M)           0 |                                                    |\n"
            "[256M, 512M)           0 |                                                    |\n"
            "[512M, 1G)             0 |                                                    |\n"
            "[1G, 2G)               0 |                                                    |\n"
            "[2G, 4G)               0 |                                                    |\n"
            "[4G, 8G)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
            "\n"
            "@hk[x]:\n"
            "[8, 16)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n"
            "@hk[y]:\n"
            "[512, 1K)              2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n")
      << r.err;
}

TEST_F(Maps, LinearHistogramsWithUnderAndOverflow) {
  RunResult r = run_quiet(
      "BEGIN { @l = lhist(-1, 0, 100, 10); @l = lhist(5, 0, 100, 10); @l = lhist(35, 0, 100, 10); "
      "@l = lhist(35, 0, 100, 10); @l = lhist(100, 0, 100, 10); @l = lhist(500, 0, 100, 10); "
      "@k = lhist(2048, 0, 4096, 1024); exit(); }");
  EXPECT_EQ(r.out,
            "\n\n"
            "@k:\n"
            "[2K, 3K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n"
            "@l:\n"
            "(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
            "[0, 10)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
            "[10, 20)               0 |                                                    |\n"
            "[20, 30)               0 |                                                    |\n"
            "[30, 40)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "[40, 50)               0 |                                                    |\n"
            "[50, 60)               0 |                                                    |\n"
            "[60, 70)               0 |                                                    |\n"
            "[70, 80)               0 |                                                    |\n"
            "[80, 90)               0 |                                                    |\n"
            "[90, 100)              0 |                                                    |\n"
            "[100, ...)             2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n")
      << r.err;
}

TEST_F(Maps, AggregationsReadInExpressionsAreMergedOverCpus) {
  // interval fires on one CPU, BEGIN on another possibly; both count into @c.
  RunResult r = run_quiet(
      "BEGIN { @c = count(); @s = sum(40); @m = max(7); @a = avg(4); } "
      "interval:ms:50 { @c = count(); @s = sum(2); if (@c >= 3) { "
      "printf(\"%d %d %d %d\\n\", @c, @s, @m, @a); exit(); } }");
  EXPECT_EQ(r.out, "3 44 7 4\n\n\n@a: 4\n\n@c: 3\n@m: 7\n@s: 44\n") << r.err;
}

TEST_F(Maps, PrintClearZeroDeleteHasKey) {
  RunResult r = run_quiet(
      "BEGIN { @x = 5; @y[1] = 2; @y[2] = 1; @h = hist(5); print(@x); print(@y); print(@h); "
      "print(5); print(\"s\"); print(@y, 1); print(@y, 0, 2); clear(@y); zero(@x); print(@x); "
      "@c[\"a\"] = count(); delete(@c[\"a\"]); @d[1] = 1; @d[2] = 2; delete(@d, 1); "
      "printf(\"%d %d %d\\n\", has_key(@d, 1), has_key(@d, 2), has_key(@d[2])); exit(); }");
  EXPECT_EQ(r.out,
            "@x: 5\n"
            "@y[2]: 1\n"
            "@y[1]: 2\n"
            "@h:\n"
            "[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n"
            "5\n"
            "s\n"
            "@y[1]: 2\n"
            "@y[2]: 0\n"
            "@y[1]: 1\n"
            "@x: 0\n"
            "0 1 1\n"
            "\n\n"
            "@d[2]: 2\n"
            "@h:\n"
            "[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n"
            "@x: 0\n")
      << r.err;
}

TEST_F(Maps, MapFunctionsCheckTheirArguments) {
  RunResult r = run_quiet("BEGIN { @x[1] = 1; clear(@x[1]); print(@y); delete(@x, \"s\"); }");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "stdin:1:26-31: ERROR: clear() acts on a whole map: write @x without a key\n"
            "BEGIN { @x[1] = 1; clear(@x[1]); print(@y); delete(@x, \"s\"); }\n"
            "                         ~~~~~\n"
            "stdin:1:40-42: ERROR: Undefined map: @y\n"
            "BEGIN { @x[1] = 1; clear(@x[1]); print(@y); delete(@x, \"s\"); }\n"
            "                                       ~~\n"
            "stdin:1:56-59: ERROR: the key is a string[2] but @x has int64 keys\n"
            "BEGIN { @x[1] = 1; clear(@x[1]); print(@y); delete(@x, \"s\"); }\n"
            "                                                       ~~~\n");
}

TEST_F(Maps, StringAndTupleValuesPrintByKey) {
  RunResult r = run_quiet(
      R"(BEGIN { @str = "hello"; @name[2] = "bob"; @name[1] = comm; @tup = (1, "two", 3); $s = @str; printf("%s %s %d\n", $s, @name[1], @tup.2); @str = "a longer string than hello"; exit(); })");
  EXPECT_EQ(r.out,
            "hello utrace 3\n\n\n"
            "@name[1]: utrace\n"
            "@name[2]: bob\n"
            "@str: a longer string than hello\n"
            "@tup: (1, two, 3)\n")
      << r.err;
}

TEST_F(Maps, TooMuchStackIsExplained) {
  std::string program = "BEGIN { ";
  for (int i = 0; i < 12; ++i) program += "$s" + std::to_string(i) + " = str(0); ";
  program +=
      "printf(\"%s %s %s %s %s %s %s %s %s %s %s %s\\n\", $s0, $s1, $s2, $s3, $s4, $s5, $s6, "
      "$s7, $s8, $s9, $s10, $s11); exit(); }";
  RunResult r = run_quiet(program);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(
      r.err,
      "ERROR: BPF compilation failed: a probe needs more than the 512 bytes of stack BPF allows "
      "(strings take 64 bytes each): split the probe or use fewer string values at once\n");
}

TEST_F(Maps, EveryAggregationOverACommandsExactCalls) {
  // calls 100 0: f(0) .. f(99), once each, started by utrace with the probes in place.
  RunResult r =
      utrace({"-q", "-c", kCCalls + " 100 0", "-e",
              "uprobe:" + kCCalls +
                  ":f { @c = count(); @s = sum(arg0); @a = avg(arg0); "
                  "@mn = min(arg0); @mx = max(arg0); @st = stats(arg0); @by[arg0 % 3] = count(); "
                  "@l = lhist(arg0, 0, 100, 25); @h = hist(arg0); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "\n\n"
            "@a: 49\n"
            "\n"
            "@by[1]: 33\n"
            "@by[2]: 33\n"
            "@by[0]: 34\n"
            "@c: 100\n"
            "@h:\n"
            "[0]                    1 |@                                                   |\n"
            "[1]                    1 |@                                                   |\n"
            "[2, 4)                 2 |@@                                                  |\n"
            "[4, 8)                 4 |@@@@@                                               |\n"
            "[8, 16)                8 |@@@@@@@@@@@                                         |\n"
            "[16, 32)              16 |@@@@@@@@@@@@@@@@@@@@@@@                             |\n"
            "[32, 64)              32 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@      |\n"
            "[64, 128)             36 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n"
            "@l:\n"
            "[0, 25)               25 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "[25, 50)              25 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "[50, 75)              25 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "[75, 100)             25 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n"
            "@mn: 0\n"
            "@mx: 99\n"
            "@s: 4950\n"
            "@st: count 100, average 49, total 4950\n"
            "\n");
}

TEST_F(Maps, PrintATuple) {
  RunResult r =
      run_quiet(R"(BEGIN { $t = (1, "two", (3, "x")); print($t); print((4, 5)); exit(); })");
  EXPECT_EQ(r.out, "(1, two, (3, x))\n(4, 5)\n\n\n") << r.err;
}

TEST_F(Maps, TupleKeys) {
  RunResult r = run_quiet(
      R"(BEGIN { @m[(1, "a")] = 5; @m[(2, "bb")] = 3; $t = (1, "a"); @m[$t] = 7; printf("%d\n", @m[(1, "a")]); exit(); })");
  EXPECT_EQ(r.out, "7\n\n\n@m[(2, bb)]: 3\n@m[(1, a)]: 7\n") << r.err;
}

TEST_F(Maps, LenCountsEntriesAsTheyComeAndGo) {
  RunResult r = run_quiet(
      "BEGIN { @m[1] = 1; @m[2] = 2; @m[2] = 3; @c[\"a\"] = count(); @c[\"a\"] = count(); "
      "@c[\"b\"] = count(); @h[1] = hist(5); @h[2] = hist(6); "
      "printf(\"%d %d %d\\n\", len(@m), len(@c), len(@h)); delete(@m[1]); delete(@m[7]); "
      "printf(\"%d\\n\", len(@m)); clear(@c); exit(); } END { printf(\"%d\\n\", len(@c)); }");
  EXPECT_EQ(r.out.substr(0, r.out.find("\n\n")), "2 2 2\n1\n0") << r.err;
}

TEST_F(Maps, LenOfKeysMadeOnEveryCpu) {
  RunResult r =
      utrace({"-q", "-c", kCCalls + " 1000 0", "-e",
              "uprobe:" + kCCalls +
                  ":f { @k[arg0 % 50] = count(); @v[arg0 % 7] = arg0; } "
                  "END { printf(\"%d %d\\n\", len(@k), len(@v)); clear(@k); clear(@v); }"});
  EXPECT_EQ(r.out, "50 7\n\n\n") << r.err;
}

TEST_F(Maps, CountsFromATraceeAreExact) {
  Background loop({kCLoop});
  RunResult r = utrace({"-q", "-e",
                        "uprobe:" + kCLoop +
                            ":work { @calls = count(); @by[arg0 % 3] = count(); "
                            "@h = hist(arg0); } interval:ms:500 { exit(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  long long calls = map_value(r.out, "@calls");
  long long by0 = map_value(r.out, "@by[0]"), by1 = map_value(r.out, "@by[1]"),
            by2 = map_value(r.out, "@by[2]");
  EXPECT_GT(calls, 50) << r.out;
  EXPECT_EQ(by0 + by1 + by2, calls) << r.out;
}

// print(@m[k]) prints the entry's value like print(value) (bpftrace 0.21; 0.17 refuses it).
TEST_F(Maps, PrintOfOneEntryPrintsItsValue) {
  RunResult r = run_quiet(
      R"(BEGIN { @m[1] = 5; @c["a"] = count(); @c["a"] = count(); @s[1] = "str"; @t[1, 2] = (3, "x");
                 print(@m[1]); print(@m[2]); print(@c["a"]); print(@s[1]); print(@t[1, 2]);
                 clear(@m); clear(@c); clear(@s); clear(@t); exit(); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "5\n0\n2\nstr\n(3, x)\n\n\n") << r.err;
}

// for ($kv : @m) walks the map in BPF (bpf_for_each_map_elem with a callback utrace links in).
TEST_F(Maps, ForLoopOverAMapSeesEveryEntryWithMergedAggregates) {
  RunResult r = utrace(
      {"-q", "-c", kCCalls + " 100 0", "-e",
       "uprobe:" + kCCalls +
           ":f { @c[arg0 % 3] = count(); @s[arg0 % 3, \"k\"] = sum(arg0); } "
           "END { $n = 0; $calls = 0; $sum = 0; "
           "for ($kv : @c) { $n++; $calls += $kv.1; } "
           "for ($kv : @s) { if ($kv.0.1 == \"k\") { $sum += $kv.1; } } "
           "printf(\"%d keys, %d calls, sum %d\\n\", $n, $calls, $sum); clear(@c); clear(@s); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "3 keys, 100 calls, sum 4950\n\n\n") << r.err;
}

TEST_F(Maps, ForLoopOverAMapBreaksContinuesNestsAndExits) {
  RunResult r = run_quiet(
      R"(BEGIN { @a[1] = 1; @a[2] = 2; @a[3] = 3; @t["one"] = (7, "x");
                 $n = 0; for ($kv : @a) { $n++; break; } printf("%d\n", $n);
                 for ($kv : @a) { if ($kv.0 == 2) { continue; } $n += $kv.1 * 10; } printf("%d\n", $n);
                 $pairs = 0; for ($x : @a) { for ($y : @a) { $pairs++; } } printf("%d pairs\n", $pairs);
                 for ($kv : @t) { printf("%s: %d %s\n", $kv.0, $kv.1.0, $kv.1.1); }
                 for ($kv : @a) { exit(); }
                 printf("not reached\n"); })");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "1\n41\n9 pairs\none: 7 x\n\n\n"
            "@a[1]: 1\n@a[2]: 2\n@a[3]: 3\n@t[one]: (7, x)\n")
      << r.err;
}

}  // namespace
}  // namespace ut
