// libFuzzer target over the stages that take untrusted text: parse, analyze, lower, and the
// rendering of every diagnostic. Any crash, leak, sanitizer report or hang is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "codegen/lower.h"
#include "codegen/semantic.h"
#include "parser/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ut::SourceFile src{"fuzz.bt", std::string(reinterpret_cast<const char *>(data), size)};
  ut::ast::Context ctx;
  ut::Diagnostics diags;
  ut::ast::Program *prog = ut::parser::parse(src, ctx, diags);
  if (prog && !diags.has_errors()) {
    (void)ut::ast::dump(*prog);
    ut::codegen::SemanticInfo sema =
        ut::codegen::analyze(*prog, diags, {{"7", "text", "0x10"}, true});
    if (!diags.has_errors()) (void)ut::codegen::lower(*prog, sema);
  }
  std::string rendered;
  for (const ut::Diagnostic &d : diags.all()) rendered += ut::render(d, src);
  return 0;
}
