// Turning the values BPF sends as ids and addresses into the text they print as: ustack's frames
// (read from the stack map, the entry caller put back in, addresses resolved through the
// process's mappings), usym's symbol, the attach point's name (probe) or function (func), a uid's
// user name, and strftime()'s time.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "runtime/binary/symbolizer.h"
#include "runtime/bpf/bpf_backend.h"
#include "runtime/output/values.h"

namespace ut::runtime {

class ValueResolver {
 public:
  ValueResolver(BpfBackend &backend, const codegen::ProgramPlan &plan)
      : backend_(backend), plan_(plan), boot_to_wall_ns_(boot_to_wall_clock_ns()) {}

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

  // strftime(): `wall_ns` (nanoseconds since the epoch) in local time through strftime(3), where
  // %f is its microseconds as 6 digits (bpftrace's extension).
  static std::string timestamp_text(const std::string &format, int64_t wall_ns);

  // CLOCK_REALTIME minus CLOCK_BOOTTIME now: what turns a boot-time timestamp into wall-clock time.
  static int64_t boot_to_wall_clock_ns();

 private:
  void resolve_stack(Value &v);

  BpfBackend &backend_;
  const codegen::ProgramPlan &plan_;
  Symbolizer symbolizer_;
  std::map<size_t, std::vector<PlaceNames>> places_;
  // Measured once, when tracing starts, as bpftrace does: every strftime() of a run is turned
  // into wall-clock time the same way, even if the wall clock is set meanwhile.
  int64_t boot_to_wall_ns_;
};

}  // namespace ut::runtime
