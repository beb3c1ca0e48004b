// Turning ustack values into the lines they print as: frames read from the kernel's stack map,
// the entry caller put back in, addresses resolved to symbols through the process's mappings.
#pragma once

#include <sys/types.h>

#include <string>

#include "runtime/bpf_backend.h"
#include "runtime/symbolizer.h"
#include "runtime/values.h"

namespace ut::runtime {

class StackResolver {
 public:
  // `stacks_map`: the plan's stack trace map (frames by stack id); empty when there is none.
  StackResolver(BpfBackend &backend, std::string stacks_map)
      : backend_(backend), stacks_map_(std::move(stacks_map)) {}

  // Reads the mappings of process `pid` now, while it lives (EventKind::ProcessSeen).
  void remember(pid_t pid) { symbolizer_.remember(pid); }

  // Fills in the frames of every stack in `v` (also inside tuples).
  void resolve(Value &v);

  // One address as a frame line: "main+274" (bpftrace mode; "0x55e1..." when unknown), or
  // "55e1c0a1b2c3 main+274 (/path/prog)" (perf mode).
  static std::string frame_line(const SymbolizedFrame &f, codegen::StackMode mode);

 private:
  BpfBackend &backend_;
  std::string stacks_map_;
  Symbolizer symbolizer_;
};

}  // namespace ut::runtime
