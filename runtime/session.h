// One tracing run: resolve the plan's targets, load, attach, deliver events until told to stop,
// then run END and print the maps. Attachments are released on every path out.
#pragma once

#include "codegen/plan.h"
#include "parser/diagnostics.h"
#include "runtime/bpf_backend.h"
#include "runtime/output.h"
#include "support/source.h"

namespace ut::runtime {

struct SessionOptions {
  bool quiet = false;  // no "Attaching N probes..." line
};

// Returns the process exit code. Errors are reported on stderr, located in `src` where they can be.
int run_session(const codegen::ProgramPlan &plan, const SourceFile &src, BpfBackend &backend,
                Output &out, const SessionOptions &options);

}  // namespace ut::runtime
