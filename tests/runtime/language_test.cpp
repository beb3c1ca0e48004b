// Runtime tests of the language: small programs under BEGIN whose printed results a bpftrace user
// can predict, compiled by BCC and run in the kernel.
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

class Language : public Runtime {};

TEST_F(Language, OperatorPrecedence) {
  RunResult r = run_quiet(
      R"(BEGIN { printf("%d %d %d %d %d\n", 1 + 2 * 3, (1 + 2) * 3, 1 << 2 + 1, 6 & 3 == 3, !0 + ~0); exit(); })");
  EXPECT_EQ(r.out, "7 9 8 0 0\n\n\n") << r.err;
}

TEST_F(Language, EveryBinaryAndUnaryOperator) {
  RunResult r = run_quiet(
      R"(BEGIN { $a = 12; $b = 5; printf("%d %d %d %d %d|%d %d %d %d %d|%d %d %d %d %d %d|%d %d|%d %d %d %d\n", $a + $b, $a - $b, $a * $b, $a / $b, $a % $b, $a & $b, $a | $b, $a ^ $b, $a << 2, $a >> 2, $a < $b, $a <= $b, $a > $b, $a >= $b, $a == 12, $a != 12, $a && 0, $b || 0, -$a, !$a, ~$a, *($a - $a) ); exit(); })");
  EXPECT_EQ(r.out, "17 7 60 2 2|4 13 9 48 3|0 0 1 1 1 0|0 1|-12 0 -13 0\n\n\n") << r.err;
}

TEST_F(Language, SignedDivisionTruncatesTowardZero) {
  RunResult r = run_quiet(
      R"(BEGIN { printf("%d %d %d %d %d\n", -5 / 2, -5 % 2, 7 / -2, 7 % 0, 7 / 0); exit(); })");
  EXPECT_EQ(r.out, "-2 -1 -3 7 0\n\n\n") << r.err;
}

TEST_F(Language, PositionalParameters) {
  RunResult r = run_quiet(
      R"(BEGIN { printf("%d %s %d [%s] %d\n", $1 + 1, str($2), $#, str($5), $4); exit(); })",
      {"0x29", "hello", "-5"});
  EXPECT_EQ(r.out, "42 hello 3 [] 0\n\n\n") << r.err;
}

TEST_F(Language, PositionalParameterInAnAttachPoint) {
  RunResult r =
      run_quiet("interval:ms:$1 { printf(\"tick %s\\n\", str($2)); exit(); }", {"50", "x"});
  EXPECT_EQ(r.out, "tick x\n\n\n") << r.err;
}

// Positional parameters wherever bpftrace takes them: unroll's count, strncmp's length, and
// str($1 + N), the text from its N+1th character; a ternary of calls runs one of them.
TEST_F(Language, PositionalParametersAsCountsLengthsAndText) {
  RunResult r = run_quiet(
      R"(BEGIN { $i = 0; unroll($1) { $i++; } printf("%d %d [%s] [%s]\n", $i, )"
      R"(strncmp("abc", "abd", $2), str($3 + 1), str($3 + 9)); )"
      R"($i == 3 ? printf("three\n") : printf("not three\n"); exit(); })",
      {"3", "2", "hello"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "3 0 [ello] []\nthree\n\n\n") << r.err;
}

TEST_F(Language, NonNumericParameterUsedAsANumber) {
  RunResult r = run_quiet(R"(BEGIN { printf("%d\n", $1); })", {"abc"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "stdin:1:24-26: ERROR: $1 used numerically but given \"abc\". Try using str($1).\n"
            "BEGIN { printf(\"%d\\n\", $1); }\n"
            "                       ~~\n");
}

TEST_F(Language, CompoundAssignmentsAndSteps) {
  RunResult r = run_quiet(
      "BEGIN { $x = 10; $x += 5; $x -= 3; $x *= 4; $x /= 3; $x %= 7; $x <<= 4; $x >>= 2; $x |= 1; "
      "$x &= 0xff; $x ^= 3; @m++; @m++; ++@m; @n--; printf(\"%d %d %d %d %d\\n\", $x, @m, @n, "
      "$x++, ++$x); exit(); }");
  // 10+5=15, -3=12, *4=48, /3=16, %7=2, <<4=32, >>2=8, |1=9, &0xff=9, ^3=10
  EXPECT_EQ(r.out, "10 3 -1 10 12\n\n\n@m: 3\n@n: -1\n") << r.err;
}

TEST_F(Language, IfElseChains) {
  RunResult r = run_quiet(
      "BEGIN { $i = 0; while ($i < 4) { if ($i == 0) { printf(\"zero \"); } else if ($i == 1) { "
      "printf(\"one \"); } else { printf(\"many \"); } $i++; } printf(\"\\n\"); exit(); }");
  EXPECT_EQ(r.out, "zero one many many \n\n\n") << r.err;
}

TEST_F(Language, WhileWithBreakAndContinue) {
  RunResult r = run_quiet(
      "BEGIN { $i = 0; $sum = 0; while (1) { $i++; if ($i > 10) { break; } if ($i % 2) { continue; "
      "} "
      "$sum += $i; } printf(\"%d\\n\", $sum); exit(); }");
  EXPECT_EQ(r.out, "30\n\n\n") << r.err;
}

TEST_F(Language, UnrollRepeatsTheBlock) {
  RunResult r =
      run_quiet("BEGIN { $n = 1; unroll(5) { $n *= 2; } printf(\"%d\\n\", $n); exit(); }");
  EXPECT_EQ(r.out, "32\n\n\n") << r.err;
}

TEST_F(Language, TernaryAndCasts) {
  RunResult r = run_quiet(
      "BEGIN { printf(\"%d %d %d %u\\n\", 1 ? 2 : 3, 0 ? 2 : 3, (int8)257, (uint8)-1); exit(); }");
  EXPECT_EQ(r.out, "2 3 1 255\n\n\n") << r.err;
}

TEST_F(Language, LogicalOperatorsShortCircuit) {
  RunResult r = run_quiet(
      "BEGIN { $a = 0 && @x++; $b = 1 || @y++; $c = 1 && 2; printf(\"%d %d %d\\n\", $a, $b, $c); "
      "exit(); }");
  EXPECT_EQ(r.out, "0 1 1\n\n\n@x: 0\n@y: 0\n") << r.err;
}

TEST_F(Language, PredicatesFilter) {
  RunResult r = run_quiet("interval:ms:20 /@n < 3/ { @n++; } interval:ms:200 { exit(); }");
  EXPECT_EQ(r.out, "\n\n@n: 3\n") << r.err;
}

TEST_F(Language, SeveralBeginAndEndBlocksRunInTheOrderWritten) {
  RunResult r = run_quiet(
      "BEGIN { printf(\"first %s\\n\", comm); } END { printf(\"end1\\n\"); } "
      "BEGIN { printf(\"second\\n\"); exit(); } END { printf(\"end2\\n\"); }");
  EXPECT_EQ(r.out, "first utrace\nsecond\nend1\nend2\n\n\n") << r.err;
}

TEST_F(Language, TuplesSizeofAndStringComparison) {
  RunResult r = run_quiet(
      R"(BEGIN { $t = (1, "two", (3, "x")); printf("%d %s %d %s %d %d %d\n", $t.0, $t.1, $t.2.0, $t.2.1, sizeof(int32), sizeof($t), sizeof(uint8 *)); printf("%d %d %d %d\n", comm == "utrace", comm != "utrace", "ab" == "abc", true + false); exit(); })");
  EXPECT_EQ(r.out, "1 two 3 x 4 32 8\n1 0 0 1\n\n\n") << r.err;
}

TEST_F(Language, LiteralsOfEveryForm) {
  RunResult r = run_quiet(
      R"(BEGIN { printf("%d %d %d %d %d %d %d\n", 0x10, 010, 1_000_000, 2e3, 100UL, 1s / 100ms, 2m / 1s); printf("[\x41\101\"\\]\n"); exit(); })");
  EXPECT_EQ(r.out, "16 8 1000000 2000 100 10 120\n[AA\"\\]\n\n\n") << r.err;
}

TEST_F(Language, IntervalTakesADuration) {
  RunResult r = run_quiet("interval:100ms { @n++; if (@n == 3) { exit(); } }");
  EXPECT_EQ(r.out, "\n\n@n: 3\n") << r.err;
}

TEST_F(Language, LetAndBlockScopes) {
  RunResult r = run_quiet(
      "BEGIN { $n = 0; while ($n < 3) { let $z; if ($n == 0) { $z = 4; } printf(\"%d \", $z); "
      "$n++; } "
      "if (1) { $v = 1; printf(\"%d \", $v); } else { $v = \"s\"; } printf(\"\\n\"); exit(); }");
  EXPECT_EQ(r.out, "4 0 0 1 \n\n\n") << r.err;
}

TEST_F(Language, ForOverARange) {
  RunResult r = run_quiet(
      "BEGIN { $s = 0; for ($i : 1..6) { if ($i == 2) { continue; } if ($i == 5) { break; } $s += "
      "$i; } "
      "printf(\"%d\\n\", $s); exit(); }");
  EXPECT_EQ(r.out, "8\n\n\n") << r.err;  // 1 + 3 + 4
}

}  // namespace
}  // namespace ut
