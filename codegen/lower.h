// The lowering stage: a checked script to restricted C and the plan that goes with it.
#pragma once

#include "codegen/plan.h"
#include "codegen/semantic.h"
#include "parser/ast.h"

namespace ut::codegen {

// Writes the C program and describes its probes, maps, events and formats. Same script, same C,
// byte for byte. `prog` must have passed analyze() without errors.
ProgramPlan lower(const ast::Program &prog, const SemanticInfo &sema);

}  // namespace ut::codegen
