#include <gtest/gtest.h>

#include "tests/unit/test_support.h"

namespace ut {
namespace {

using testing::Pipeline;

std::string ast_of(const std::string &text) {
  Pipeline p(text);
  EXPECT_EQ(p.errors(), "");
  return p.program ? ast::dump(*p.program) : "";
}

TEST(Parser, SeedOneLinerWithBraces) {
  EXPECT_EQ(ast_of(R"(uprobe:/tmp/counter:"main.doWork" { @ = *uaddr("main.counter"); })"),
            "program\n"
            "  probe\n"
            "    uprobe:/tmp/counter:\"main.doWork\"\n"
            "    block { }\n"
            "      =\n"
            "        map: @\n"
            "        dereference\n"
            "          call: uaddr\n"
            "            string: \"main.counter\"\n");
}

TEST(Parser, AngleBlockGivesTheSameTreeAsBraces) {
  std::string angle =
      ast_of(R"(uprobe:/tmp/counter:"main.doWork" < @ = *uaddr("main.counter"); >)");
  std::string braces =
      ast_of(R"(uprobe:/tmp/counter:"main.doWork" { @ = *uaddr("main.counter"); })");
  EXPECT_EQ(angle.replace(angle.find("< >"), 3, "{ }"), braces);
}

TEST(Parser, LastStatementInBracesNeedsNoSemicolon) {
  EXPECT_NE(ast_of("BEGIN { @a = 1; @b = 2 }").find("map: @b"), std::string::npos);
}

TEST(Parser, GreaterThanInsideAngleBlockIsAComparison) {
  std::string tree = ast_of("BEGIN < @x = 3 > 2; if (@x > 0) < @y = 1; > >");
  EXPECT_NE(tree.find("      =\n        map: @x\n        >\n"), std::string::npos) << tree;
  EXPECT_NE(tree.find("if\n"), std::string::npos) << tree;
}

TEST(Parser, ShiftRightIsTwoTouchingGreaterThans) {
  std::string tree = ast_of("BEGIN { @x = 16 >> 2; }");
  EXPECT_NE(tree.find(">>\n          int: 16\n          int: 2\n"), std::string::npos) << tree;
}

TEST(Parser, TwoTouchingGreaterThansCloseTwoAngleBlocks) {
  std::string tree = ast_of("BEGIN < if (1) < @x = 1; >>");
  EXPECT_NE(tree.find("block < >\n      if\n"), std::string::npos) << tree;
}

TEST(Parser, AngleBlockMustEndStatementsWithSemicolon) {
  Pipeline p("BEGIN < @x = 1 >");
  EXPECT_EQ(p.errors(),
            "stdin:1:17-17: ERROR: syntax error, unexpected end of file: expected '>' to close the "
            "block opened at 1:7\n"
            "BEGIN < @x = 1 >\n"
            "                \n"
            "HINT: in a < > block every statement ends in ';': a '>' right after an expression "
            "compares\n");
}

TEST(Parser, UnclosedBraceSaysWhichBlock) {
  Pipeline p("BEGIN { @x = 1; if (1) { @y = 2;\n");
  EXPECT_EQ(p.errors(),
            "stdin:2:1-1: ERROR: syntax error, unexpected end of file: expected '}' to close the "
            "block opened at 1:24\n"
            "\n"
            "\n");
}

TEST(Parser, SeparatedGreaterThansAreNotAShift) {
  Pipeline p("BEGIN { @x = 1 > > 2; }");
  EXPECT_EQ(p.errors(),
            "stdin:1:18-19: ERROR: syntax error, unexpected >, expecting an expression\n"
            "BEGIN { @x = 1 > > 2; }\n"
            "                 ~\n");
}

TEST(Parser, OperatorPrecedenceFollowsC) {
  std::string tree = ast_of("BEGIN { @ = 1 + 2 * 3 << 1 == 14 && !0 || 0; }");
  EXPECT_EQ(tree.substr(tree.find("      =")),
            "      =\n"
            "        map: @\n"
            "        ||\n"
            "          &&\n"
            "            ==\n"
            "              <<\n"
            "                +\n"
            "                  int: 1\n"
            "                  *\n"
            "                    int: 2\n"
            "                    int: 3\n"
            "                int: 1\n"
            "              int: 14\n"
            "            !\n"
            "              int: 0\n"
            "          int: 0\n");
}

TEST(Parser, SeveralProbesAndAttachPoints) {
  Pipeline p(
      "uprobe:/bin/a:f,\n  uprobe:/bin/a:g /pid > 1/ { @x = 1; }\n"
      "interval:s:1 { printf(\"%d\\n\", @x); }");
  ASSERT_EQ(p.errors(), "");
  ASSERT_EQ(p.program->probes.size(), 2u);
  EXPECT_EQ(p.program->probes[0]->attach_points.size(), 2u);
  EXPECT_NE(p.program->probes[0]->predicate, nullptr);
  EXPECT_EQ(p.program->probes[1]->attach_points[0]->parts,
            (std::vector<std::string>{"interval", "s", "1"}));
}

TEST(Parser, GoNamesNeedNoQuotes) {
  Pipeline p("uprobe:/tmp/x:net/http.(*Server).Serve { @ = 1; }");
  ASSERT_EQ(p.errors(), "");
  EXPECT_EQ(p.program->probes[0]->attach_points[0]->parts,
            (std::vector<std::string>{"uprobe", "/tmp/x", "net/http.(*Server).Serve"}));
}

TEST(Parser, QuotedPartsMayHoldColons) {
  EXPECT_EQ(parser::split_attach_point(R"x(uprobe:/b:"ns::f(int)")x"),
            (std::vector<std::string>{"uprobe", "/b", "ns::f(int)"}));
}

TEST(Parser, ShebangAndComments) {
  std::string tree =
      ast_of("#!/usr/bin/env utrace\n// a comment\nBEGIN /* inline */ { @ = 1; // trailing\n }\n");
  EXPECT_NE(tree.find("BEGIN"), std::string::npos);
}

TEST(Lexer, IntegerLiterals) {
  std::string tree = ast_of("BEGIN { @a = 0x10; @b = 010; @c = 1_000_000; @d = 2e3; @e = 100UL; }");
  for (const char *v : {"int: 16", "int: 8", "int: 1000000", "int: 2000", "int: 100"})
    EXPECT_NE(tree.find(v), std::string::npos) << v;
}

TEST(Lexer, StringEscapes) {
  Pipeline p(R"(BEGIN { printf("a\tb\n\"\\\101\x42"); })");
  ASSERT_EQ(p.errors(), "");
  auto *stmt = static_cast<ast::ExprStmt *>(p.program->probes[0]->body->stmts[0]);
  auto *call = static_cast<ast::Call *>(stmt->expr);
  EXPECT_EQ(ast::as<ast::String>(*call->args[0]).value, "a\tb\n\"\\AB");
}

TEST(Lexer, InvalidEscapeIsLocated) {
  Pipeline p(R"(BEGIN { printf("\q"); })");
  EXPECT_EQ(p.errors(),
            "stdin:1:16-20: ERROR: invalid escape character '\\q'\n"
            "BEGIN { printf(\"\\q\"); }\n"
            "               ~~~~\n");
}

TEST(Lexer, UnterminatedComment) {
  Pipeline p("BEGIN { @ = 1; } /* no end");
  EXPECT_NE(p.errors().find("end of file during comment"), std::string::npos);
}

TEST(Parser, SyntaxErrorMatchesBpftraceText) {
  Pipeline p("BEGIN { $x = ; }");
  EXPECT_EQ(p.errors(),
            "stdin:1:14-15: ERROR: syntax error, unexpected ;\n"
            "BEGIN { $x = ; }\n"
            "             ~\n");
}

TEST(Parser, RecoversAtTheNextStatement) {
  Pipeline p("BEGIN { $x = ; @y = 1 +; }");
  EXPECT_EQ(p.diags.all().size(), 2u) << p.errors();
}

TEST(Parser, AnErrorInOneProbeDoesNotEchoAndLaterProbesAreStillChecked) {
  Pipeline p("BEGIN { if ($x %% 2) { @a = 1; } else { @b = 2; } }\nEND { foo(; }\ninterval:s:1 { @c = 1; }");
  EXPECT_EQ(p.errors(),
            "stdin:1:17-18: ERROR: syntax error, unexpected %\n"
            "BEGIN { if ($x %% 2) { @a = 1; } else { @b = 2; } }\n"
            "                ~\n"
            "stdin:2:11-12: ERROR: syntax error, unexpected ;, expecting )\n"
            "END { foo(; }\n"
            "          ~\n");
}

TEST(Parser, ErrorsInScriptFilesNameTheFile) {
  Pipeline p("BEGIN {\n  $y = @x +;\n}\n", "/tmp/err.bt");
  EXPECT_EQ(p.errors(),
            "/tmp/err.bt:2:12-13: ERROR: syntax error, unexpected ;\n"
            "  $y = @x +;\n"
            "           ~\n");
}

// An index follows a field (args.xs[i]); on a map it stays the map's key.
TEST(Parser, IndexOfAField) {
  EXPECT_EQ(ast_of("uprobe:/x:f { @[1] = args.xs[$1 + 1]; }"),
            "program\n"
            "  probe\n"
            "    uprobe:/x:f\n"
            "    block { }\n"
            "      =\n"
            "        map: @\n"
            "          int: 1\n"
            "        []\n"
            "          .xs\n"
            "            builtin: args\n"
            "          +\n"
            "            param: $1\n"
            "            int: 1\n");
}

TEST(Parser, CDefinitionsKeepTheirPlaceInTheScript) {
  Pipeline p(
      "#include <stdint.h>\n"
      "struct Point { int x; int y; };\n"
      "BEGIN { exit(); }\n"
      "typedef struct Point point_t; // between probes\n"
      "  #define LIMIT 10\n"
      "END { }\n");
  ASSERT_EQ(p.errors(), "");
  ASSERT_TRUE(p.program);
  EXPECT_EQ(p.program->probes.size(), 2u);
  // Every character of the probes is blank, so libclang's line:column is the script's.
  EXPECT_EQ(p.program->c_definitions,
            "#include <stdint.h>\n"
            "struct Point { int x; int y; };\n"
            "\n"
            "typedef struct Point point_t;\n"
            "  #define LIMIT 10");
}

TEST(Parser, ADefinitionMayEndAtItsBrace) {
  Pipeline p("struct Point { int x; } BEGIN { exit(); }\nenum E { A, B }\n");
  EXPECT_EQ(p.errors(), "");
  ASSERT_TRUE(p.program);
  EXPECT_EQ(p.program->c_definitions, "struct Point { int x; };\nenum E { A, B };");
  Pipeline q("typedef struct { int x; }\n");
  EXPECT_EQ(q.errors(),
            "stdin:1:1-8: ERROR: this definition never ends: expected ';' after it\n"
            "typedef struct { int x; }\n"
            "~~~~~~~\n");
}

TEST(Parser, CastsNameStructsUnionsAndTypedefs) {
  EXPECT_EQ(ast_of("BEGIN { $a = (struct  Line *)arg0; $b = (union U **)0; $c = (point_t *)0; "
                   "$d = (struct main.Point *)0; $e = (struct geo::Widget *)0; }"),
            "program\n"
            "  probe\n"
            "    BEGIN\n"
            "    block { }\n"
            "      =\n"
            "        variable: $a\n"
            "        (struct Line*)\n"
            "          builtin: arg0\n"
            "      =\n"
            "        variable: $b\n"
            "        (union U**)\n"
            "          int: 0\n"
            "      =\n"
            "        variable: $c\n"
            "        (point_t*)\n"
            "          int: 0\n"
            "      =\n"
            "        variable: $d\n"
            "        (struct main.Point*)\n"
            "          int: 0\n"
            "      =\n"
            "        variable: $e\n"
            "        (struct geo::Widget*)\n"
            "          int: 0\n");
}

TEST(Parser, IndexesMembersAndMapKeys) {
  EXPECT_EQ(ast_of("BEGIN { $x = $p->m[1][$i]; $y = @m[1]; $z = sizeof((int8, int16 *)); }"),
            "program\n"
            "  probe\n"
            "    BEGIN\n"
            "    block { }\n"
            "      =\n"
            "        variable: $x\n"
            "        []\n"
            "          []\n"
            "            ->m\n"
            "              variable: $p\n"
            "            int: 1\n"
            "          variable: $i\n"
            "      =\n"
            "        variable: $y\n"
            "        map: @m\n"
            "          int: 1\n"
            "      =\n"
            "        variable: $z\n"
            "        sizeof (int8, int16*)\n");
}

}  // namespace
}  // namespace ut
