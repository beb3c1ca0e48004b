// One tracing run: resolve the plan's targets, load, attach, deliver events until told to stop,
// then run END and print the maps. Attachments are released on every path out.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "codegen/plan.h"
#include "parser/diagnostics.h"
#include "runtime/bpf/bpf_backend.h"
#include "runtime/output/output.h"
#include "support/source.h"

namespace ut::runtime {

struct SessionOptions {
  bool quiet = false;            // no "Attaching N probes..." line
  uint32_t map_keys_max = 4096;  // entries per map (UTRACE_MAP_KEYS_MAX)
  uint32_t ring_pages = 256;     // ring buffer size in pages, a power of two (UTRACE_RING_PAGES)
  std::vector<std::string> command;  // -c: run this, trace it, stop when it exits
  pid_t pid = 0;  // -p: uprobes fire in this process only; stop when it exits (0: any process)
  // --missing-probes=warn: a probe that reaches nothing is a warning and is left out, not an
  // error.
  bool missing_probes_warn = false;
  // --kernel-uretprobe: return probes on Go functions are the kernel's uretprobes, not entry
  // uprobes on their RET instructions.
  bool kernel_uretprobe = false;
};

// Returns the process exit code. Errors are reported on stderr, located in `src` where they can be.
int run_session(const codegen::ProgramPlan &plan, const SourceFile &src, BpfBackend &backend,
                Output &out, const SessionOptions &options);

}  // namespace ut::runtime
