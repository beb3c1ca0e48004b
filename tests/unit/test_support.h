// Helpers shared by the unit tests: run the pipeline stages on a script given as text.
#pragma once

#include <string>

#include "codegen/lower.h"
#include "codegen/semantic.h"
#include "ctypes/c_definitions.h"
#include "parser/parse.h"

namespace ut::testing {

// One script taken through parse (and, on demand, analyze and lower).
struct Pipeline {
  explicit Pipeline(std::string text, std::string name = "stdin")
      : src{std::move(name), std::move(text)} {
    program = parser::parse(src, ctx, diags);
  }

  // The diagnostics rendered as the user sees them.
  std::string errors() const {
    std::string out;
    for (const auto &d : diags.all()) out += render(d, src);
    return out;
  }

  // Analyzes with the script's C definitions laid out (by libclang, as utrace does).
  codegen::SemanticInfo analyze(codegen::AnalyzeOptions options = {}) {
    ctypes::LayoutOptions layout;
    layout.wanted = program->identifiers;
    definitions = ctypes::layout_c_definitions(program->c_definitions, layout, diags);
    if (!options.c_definitions) options.c_definitions = &definitions;
    return codegen::analyze(*program, diags, options);
  }

  // Parses, analyzes and lowers; the C, or the rendered errors when there are any.
  std::string c_or_errors() {
    if (!program || diags.has_errors()) return errors();
    auto sema = analyze();
    if (diags.has_errors()) return errors();
    return codegen::lower(*program, sema).c_source;
  }

  SourceFile src;
  ast::Context ctx;
  Diagnostics diags;
  ast::Program *program = nullptr;
  codegen::CDefinitions definitions;
};

// The diagnostics of parsing and analyzing `text`, rendered.
inline std::string errors_of(const std::string &text) {
  Pipeline p(text);
  if (!p.program || p.diags.has_errors()) return "parse failed: " + p.errors();
  p.analyze();
  return p.errors();
}

}  // namespace ut::testing
