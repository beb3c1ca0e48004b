// Turning the values BPF sends as ids and addresses into the text they print as: ustack's frames
// (read from the stack map, the entry caller put back in, addresses resolved through the
// process's mappings), usym's symbol, and the attach point's name (probe) or function (func).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "runtime/bpf_backend.h"
#include "runtime/symbolizer.h"
#include "runtime/values.h"

namespace ut::runtime {

class ValueResolver {
 public:
  ValueResolver(BpfBackend &backend, const codegen::ProgramPlan &plan)
      : backend_(backend), plan_(plan) {}

  // What `probe` and `func` print at each place uprobe `probe` reached, in the order of the
  // places' cookies (codegen::attach_cookie): a wildcard names the function it fired in.
  struct PlaceNames {
    std::string probe;  // "uprobe:/bin/x:main.f"
    std::string func;   // "main.f"
  };
  void name_places(size_t probe, std::vector<PlaceNames> names) {
    places_[probe] = std::move(names);
  }

  // Reads the mappings of process `pid` now, while it lives (EventKind::ProcessSeen).
  void remember(pid_t pid) { symbolizer_.remember(pid); }

  // Fills in the text of every such value in `v` (also inside tuples).
  void resolve(Value &v);

  // One address as a frame line: "main+274" (bpftrace mode; "0x55e1..." when unknown), or
  // "55e1c0a1b2c3 main+274 (/path/prog)" (perf mode).
  static std::string frame_line(const SymbolizedFrame &f, codegen::StackMode mode);

 private:
  void resolve_stack(Value &v);

  BpfBackend &backend_;
  const codegen::ProgramPlan &plan_;
  Symbolizer symbolizer_;
  std::map<size_t, std::vector<PlaceNames>> places_;
};

}  // namespace ut::runtime
