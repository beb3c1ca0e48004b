// State shared by the Flex scanner and the Bison parser during one parse. Internal to parser/.
#pragma once

#include <utility>
#include <vector>

#include "parser/ast.h"
#include "parser/diagnostics.h"
#include "support/source.h"

namespace ut::parser {

struct Driver {
  const SourceFile &src;
  ast::Context &ctx;
  Diagnostics &diags;
  ast::Program *program = nullptr;

  // Where the scanner is: the next character's position.
  Position pos;
  // Set by the grammar when a probe is complete: the scanner goes back to reading attach points.
  bool want_top_level = false;
  // The blocks open at this point, innermost last: '{' or '<' and where it was written.
  std::vector<std::pair<char, Position>> open_blocks;
};

}  // namespace ut::parser
