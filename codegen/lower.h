// The lowering stage: a checked script to restricted C and the plan that goes with it.
#pragma once

#include "codegen/plan.h"
#include "codegen/semantic.h"
#include "parser/ast.h"

namespace ut::codegen {

struct LowerOptions {
  // Send events through a perf buffer instead of a ring buffer (kernels before 5.8).
  bool perf_events = false;
  // `*ADDRESS = value` with bpf_probe_write_user(); false where the kernel forbids it (lockdown),
  // and user space writes instead (EventKind::WriteMemory).
  bool bpf_writes_user_memory = true;
};

// Writes the C program and describes its probes, maps, events and formats. Same script, same C,
// byte for byte. `prog` must have passed analyze() without errors.
ProgramPlan lower(const ast::Program &prog, const SemanticInfo &sema,
                  const LowerOptions &options = {});

}  // namespace ut::codegen
