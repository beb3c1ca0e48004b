// Making one loadable program out of a BpfObject: its instructions with the load-time values
// written in (map descriptors, constants) and the callbacks it names appended as subprograms.
// Pure: the kernel is not involved, so the result can be checked in unit tests.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "codegen/plan.h"
#include "runtime/bpf/bpf_object.h"
#include "support/result.h"

namespace ut::runtime {

struct LinkedProgram {
  std::vector<bpf_insn> insns;
  // Where each appended callback starts (instruction index), in order. Programs with callbacks
  // need BTF function information, which says that these are static functions.
  std::vector<uint32_t> callback_starts;
};

// `map_fds` holds the descriptor of each of object.maps; constants not in `constants` are 0.
Result<LinkedProgram> link_program(const BpfObject &object, size_t function,
                                   const std::vector<int> &map_fds,
                                   const std::map<codegen::LoadConstant, uint64_t> &constants);

// The BTF the kernel needs for a program with callbacks: the type ids to put in its func_info
// records (the program itself first, then one record per callback start).
struct FunctionBtf {
  std::string blob;
  uint32_t main_type_id = 0;
  uint32_t callback_type_id = 0;
};
const FunctionBtf &function_btf();

}  // namespace ut::runtime
