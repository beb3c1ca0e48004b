// State shared by the Flex scanner and the Bison parser during one parse. Internal to parser/.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parser/ast.h"
#include "parser/diagnostics.h"
#include "support/source.h"

namespace ut::parser {

struct Driver {
  Driver(const SourceFile &source, ast::Context &context, Diagnostics &diagnostics)
      : src(source), ctx(context), diags(diagnostics) {}

  const SourceFile &src;
  ast::Context &ctx;
  Diagnostics &diags;
  ast::Program *program = nullptr;

  // Where the scanner is: the next character's position.
  Position pos;
  // Set by the grammar when a probe is complete: the scanner goes back to reading attach points.
  // Only angle-bracket probes need it; a probe body in braces is tracked by the scanner itself
  // (brace_depth), which keeps it right even while the parser recovers from a syntax error.
  bool want_top_level = false;
  bool brace_probe = false;       // the current probe's body opened with '{'
  bool awaiting_opener = false;   // a predicate just ended: the next '{' or '<' opens the body
  int brace_depth = 0;
  // The grammar closed a probe that the scanner knows is still open: it happens only after a
  // syntax error was recovered from, and errors until the probe really ends are its echoes.
  bool desynced = false;
  // The blocks open at this point, innermost last: '{' or '<' and where it was written.
  std::vector<std::pair<char, Position>> open_blocks;

  // The names of the Identifier nodes made so far (Program::identifiers).
  std::set<std::string> identifiers;

  // The C definitions read so far (Program::c_definitions), and where the text ends.
  std::string c_text;
  Position c_end;
  // A struct, union, enum or typedef being read: where it began, its text, its brace depth.
  Position c_start, c_keyword_end;
  std::string c_chunk;
  int c_depth = 0;

  // Adds C text that began at `at` in the script, padded to keep its line and column.
  void add_c(Position at, std::string_view text) {
    for (; c_end.line < at.line; ++c_end.line) {
      c_text += '\n';
      c_end.column = 1;
    }
    for (; c_end.column < at.column; ++c_end.column) c_text += ' ';
    for (char c : text) {
      c_text += c;
      if (c == '\n') {
        ++c_end.line;
        c_end.column = 1;
      } else {
        ++c_end.column;
      }
    }
  }
};

}  // namespace ut::parser
