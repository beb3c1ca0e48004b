// Where a uprobe attach point lands in one ELF file: the instructions it names, found by symbol,
// `symbol+offset`, address, C++ name or wildcard pattern.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/plan.h"
#include "runtime/elf.h"
#include "support/result.h"

namespace ut::runtime {

// One place a uprobe goes: the function it is in (as `func` prints it: demangled for C++) and
// the file offset of the instruction.
struct UprobeTarget {
  std::string function;
  uint64_t file_offset = 0;
};

// Whether a uprobe's function is a pattern: it has `*` or `?` and is not itself a symbol (Go's
// `main.(*T).M` has a `*` and is a name).
bool is_function_pattern(const ElfFile &elf, const std::string &symbol);

// The places `probe` (a uprobe or uretprobe) reaches in `elf`:
// - an address (uprobe:/bin/x:0x401136) or `symbol+offset`: that instruction;
// - a symbol, or a C++ function by its demangled name with or without its parameters
//   ("ns::f(int)", "ns::f": every overload): the function's first instruction;
// - a pattern: every function whose name or demangled name matches, once per address.
// Empty when nothing matches (the caller names what is missing). An error when a place is not the
// first byte of an instruction (a uprobe there would corrupt the traced program) or lies past the
// function's end.
Result<std::vector<UprobeTarget>> find_uprobe_targets(const ElfFile &elf,
                                                      const codegen::ProbeSpec &probe);

}  // namespace ut::runtime
