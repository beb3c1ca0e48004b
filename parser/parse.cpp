#include "parser/parse.h"

#include "parser.tab.hh"
#include "parser/driver.h"

// Flex's reentrant interface, from lexer.yy.cc.
struct yy_buffer_state;
int yylex_init_extra(ut::parser::Driver *extra, yyscan_t *scanner);
int yylex_destroy(yyscan_t scanner);
yy_buffer_state *yy_scan_bytes(const char *bytes, int len, yyscan_t scanner);

namespace ut::parser {

ast::Program *parse(const SourceFile &src, ast::Context &ctx, Diagnostics &diags) {
  Driver drv(src, ctx, diags);
  yyscan_t scanner = nullptr;
  yylex_init_extra(&drv, &scanner);
  yy_scan_bytes(src.text.data(), static_cast<int>(src.text.size()), scanner);
  Parser parser(scanner, drv);
  int rc = parser.parse();
  yylex_destroy(scanner);
  if (rc != 0 && !diags.has_errors()) diags.error("syntax error");
  if (drv.program) {
    drv.program->source = &src;
    drv.program->c_definitions = std::move(drv.c_text);
    drv.program->identifiers = std::move(drv.identifiers);
  }
  return drv.program;
}

std::vector<std::string> split_attach_point(std::string_view text) {
  std::vector<std::string> parts(1);
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '\\' && i + 1 < text.size()) {
      parts.back() += text[++i];
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ':' && !quoted) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

}  // namespace ut::parser
