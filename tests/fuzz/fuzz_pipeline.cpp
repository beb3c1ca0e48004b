// libFuzzer target over the stages that take untrusted text: parse, analyze, lower, and the
// rendering of every diagnostic. Any crash, leak, sanitizer report or hang is a bug.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codegen/binaries.h"
#include "codegen/lower.h"
#include "codegen/semantic.h"
#include "ctypes/c_definitions.h"
#include "parser/parse.h"

namespace {

using ut::codegen::ValueFacts;

ValueFacts value(std::string name, ValueFacts::Kind kind, std::vector<std::string> registers) {
  ValueFacts v;
  v.name = std::move(name);
  v.type_name = "T";
  v.kind = kind;
  v.registers = std::move(registers);
  if (kind == ValueFacts::Kind::Unreadable) v.unreadable = "it is in X0";
  return v;
}

// Every file is a Go program, and every function takes a value of each kind (and returns them),
// so that args.NAME, rets.N, members and elements reach lowering.
class FuzzBinaries : public ut::codegen::BinaryCatalog {
 public:
  ut::Result<ut::codegen::Type> type(const std::string &binary, const std::string &name) override {
    return ut::Error("no type '" + name + "' in " + binary);
  }
  std::optional<ut::codegen::Type> variable_type(const std::string &, const std::string &) override {
    return std::nullopt;
  }
  std::optional<ut::codegen::BinaryFacts> facts(const std::string &) override {
    return ut::codegen::BinaryFacts{true, true, 152};
  }
  ut::Result<ut::codegen::FunctionFacts> function(const std::string &,
                                                  const std::string &function) override {
    if (function.empty() || function[0] == 'x') return ut::Error("no DWARF for " + function);
    using Kind = ValueFacts::Kind;
    ValueFacts p = value("p", Kind::Pointer, {"si"});
    p.members = {value("a", Kind::Integer, {}), value("s", Kind::GoString, {}),
                 value("f", Kind::Unreadable, {}), value("xs", Kind::GoSlice, {})};
    p.members[1].offset = 8;
    ValueFacts xs = value("xs", Kind::GoSlice, {"di", "r8", "r9"});
    xs.element = {value("", Kind::GoString, {})};
    ValueFacts at = value("at", Kind::Struct, {});
    at.members = {value("x", Kind::Integer, {"r10"}), value("name", Kind::GoString, {"r11", "ax"})};
    ValueFacts stacked = value("old", Kind::Integer, {});
    stacked.offset = 16;
    ut::codegen::FunctionFacts facts;
    facts.params = {value("n", Kind::Integer, {"ax"}), value("s", Kind::GoString, {"bx", "cx"}),
                    value("f", Kind::Unreadable, {}), p, xs, at, stacked};
    facts.results = facts.params;
    return facts;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ut::SourceFile src{"fuzz.bt", std::string(reinterpret_cast<const char *>(data), size)};
  ut::ast::Context ctx;
  ut::Diagnostics diags;
  ut::ast::Program *prog = ut::parser::parse(src, ctx, diags);
  if (prog && !diags.has_errors()) {
    (void)ut::ast::dump(*prog);
    FuzzBinaries binaries;
    ut::codegen::AnalyzeOptions options{{"7", "text", "0x10"}, true};
    options.binaries = &binaries;
    // The script's C definitions, laid out by libclang as utrace does (none: no libclang).
    ut::codegen::CDefinitions definitions =
        ut::ctypes::layout_c_definitions(prog->c_definitions, {{}, {}, prog->identifiers}, diags);
    options.c_definitions = &definitions;
    ut::codegen::SemanticInfo sema = ut::codegen::analyze(*prog, diags, options);
    if (!diags.has_errors()) (void)ut::codegen::lower(*prog, sema);
  }
  std::string rendered;
  for (const ut::Diagnostic &d : diags.all()) rendered += ut::render(d, src);
  return 0;
}
