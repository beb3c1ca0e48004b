// What compiling a plan's C produces, independent of the compiler: map definitions and BPF
// instructions whose map references are relocations, not file descriptors. It is what the compile
// cache stores and what KernelBackend loads, so a cached run never starts Clang.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/result.h"

namespace ut::runtime {

// One BPF map to create, as BPF_MAP_CREATE takes it.
struct BpfMapDef {
  std::string name;  // the C name the runtime opens it by
  uint32_t type = 0;
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  uint32_t max_entries = 0;
  uint32_t flags = 0;
};

// A BPF_LD_IMM64 instruction that needs a value known only at load time.
struct BpfRelocation {
  enum class Kind : uint32_t {
    MapFd,     // the file descriptor of maps[target]
    Function,  // the address of functions[target], a callback appended to the program
    Constant,  // the value of load-time constant `target` (codegen::LoadConstant)
  };
  Kind kind = Kind::MapFd;
  uint32_t insn = 0;  // index of the instruction (8 bytes each)
  uint32_t target = 0;
};

// One BPF program: its instructions (8 bytes each) with the relocations still to apply.
struct BpfFunction {
  std::string name;
  std::string insns;
  std::vector<BpfRelocation> relocations;
};

struct BpfObject {
  std::vector<BpfMapDef> maps;
  std::vector<BpfFunction> functions;
  std::string license;
  uint32_t kern_version = 0;

  // The index in `functions` of the function named `name`, or -1.
  int function_index(std::string_view name) const;
  // The index in `maps` of the map named `name`, or -1.
  int map_index(std::string_view name) const;
};

// A byte string that deserialize() reads back; `key` is stored with it and checked on reading, so
// a file written for another input is never taken for this one.
std::string serialize(const BpfObject &object, std::string_view key);
Result<BpfObject> deserialize(std::string_view bytes, std::string_view key);

}  // namespace ut::runtime
