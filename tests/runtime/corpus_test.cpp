// Every program that analysis accepts must become C that BCC compiles and the kernel's verifier
// loads. Checked over the whole fuzzing seed corpus (every sample and test script).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codegen/lower.h"
#include "codegen/semantic.h"
#include "parser/parse.h"
#include "runtime/bpf/bpf_backend.h"
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

class Corpus : public Runtime {};

TEST_F(Corpus, EveryAcceptedProgramCompilesAndVerifies) {
  size_t accepted = 0, total = 0;
  for (const auto &entry : std::filesystem::directory_iterator(kSourceDir + "/tests/fuzz/corpus")) {
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    SourceFile src{entry.path().filename().string(), text.str()};
    ast::Context ctx;
    Diagnostics diags;
    ++total;
    ast::Program *prog = parser::parse(src, ctx, diags);
    if (!prog || diags.has_errors()) continue;
    codegen::SemanticInfo sema = codegen::analyze(*prog, diags, {{"7", "text", "0x10"}, true});
    if (diags.has_errors()) continue;
    codegen::ProgramPlan plan = codegen::lower(*prog, sema);
    ++accepted;

    std::vector<std::string> defines;
    for (const codegen::SymbolRef &s : plan.symbols) defines.push_back(s.macro + "=0x1000ULL");
    auto backend = runtime::make_kernel_backend({});
    auto loaded = backend->load(plan.c_source, defines);
    ASSERT_TRUE(loaded.ok()) << src.name << ":\n" << src.text << "\n" << loaded.error().message();
    for (const codegen::ProbeSpec &p : plan.probes) {
      auto verified = backend->verify(p.c_function, p.kind);
      EXPECT_TRUE(verified.ok()) << src.name << " " << p.name << ":\n"
                                 << src.text << "\n"
                                 << verified.error().message();
    }
  }
  EXPECT_GT(accepted, total / 3) << "the corpus should hold mostly valid programs";
}

}  // namespace
}  // namespace ut
