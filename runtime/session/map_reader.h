// Reading a map at a moment: its entries decoded, merged over CPUs, and sorted as they print.
#pragma once

#include <vector>

#include "codegen/plan.h"
#include "runtime/bpf/bpf_backend.h"
#include "runtime/output/output.h"
#include "runtime/session/resolver.h"
#include "support/result.h"

namespace ut::runtime {

class MapReader {
 public:
  // `ncpus`: the machine's possible CPUs, the number of slots in per-CPU map values. Stacks and
  // other symbolic keys and values are resolved with `resolver` (when given) before entries are
  // sorted.
  MapReader(BpfBackend &backend, int ncpus, ValueResolver *resolver = nullptr)
      : backend_(backend), ncpus_(ncpus), resolver_(resolver) {}

  // Entries ascending by value (ties by key); a scalar map never written reads as zero.
  Result<MapSnapshot> read(const codegen::MapSpec &map) const;

 private:
  BpfBackend &backend_;
  int ncpus_;
  ValueResolver *resolver_;
};

}  // namespace ut::runtime
