// The parser stage: script text to syntax tree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parser/ast.h"
#include "parser/diagnostics.h"
#include "support/source.h"

namespace ut::parser {

// Parses `src` into a Program owned by `ctx`. Syntax errors go to `diags`; the parser recovers at
// the next statement, so one run reports as many as it can. Returns null when there is no program.
ast::Program *parse(const SourceFile &src, ast::Context &ctx, Diagnostics &diags);

// The fields of an attach point: split on ':' outside double quotes, quotes removed.
//   uprobe:/tmp/counter:"main.doWork"  ->  {"uprobe", "/tmp/counter", "main.doWork"}
std::vector<std::string> split_attach_point(std::string_view text);

}  // namespace ut::parser
