// Where a uprobe attach point lands in one ELF file: the instructions it names, found by symbol,
// `symbol+offset`, address, C++ name or wildcard pattern.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codegen/plan.h"
#include "runtime/binary/elf.h"
#include "support/result.h"

namespace ut::runtime {

// One place a uprobe goes: the function it is in (as `func` prints it: demangled for C++) and
// the file offset of the instruction.
struct UprobeTarget {
  std::string function;
  uint64_t file_offset = 0;
  // A RET instruction of the function, which a return probe attaches to as an entry uprobe (Go:
  // see find_uprobe_targets), not the function's entry for a kernel uretprobe.
  bool at_return = false;
};

// How return probes are placed on Go functions: on their RET instructions (safe), or as kernel
// uretprobes (--kernel-uretprobe: they rewrite the return address, which Go does not survive).
struct UprobeOptions {
  bool kernel_uretprobe = false;
};

// Whether a uprobe's function is a pattern: it has `*` or `?` and is not itself a symbol (Go's
// `main.(*T).M` has a `*` and is a name).
bool is_function_pattern(const ElfFile &elf, const std::string &symbol);

// The places `probe` (a uprobe or uretprobe) reaches in `elf`:
// - an address (uprobe:/bin/x:0x401136) or `symbol+offset`: that instruction;
// - a symbol, or a C++ function by its demangled name with or without its parameters
//   ("ns::f(int)", "ns::f": every overload): the function's first instruction;
// - a pattern: every function whose name or demangled name matches, once per address;
// - a Go generic function written `main.Sum[...]`: each of its instantiations;
// - in a stripped Go binary, the functions its .gopclntab names, as if they were symbols.
// Empty when nothing matches (the caller names what is missing). An error when a place is not the
// first byte of an instruction (a uprobe there would corrupt the traced program) or lies past the
// function's end.
// In a Go binary, an entry probe on a function goes after the stack-growth check of its
// prologue (when the stack must grow, the prologue calls morestack and starts the function
// over: a probe at the symbol would fire twice), and a return probe goes on every RET
// instruction of the function, found by disassembling it, unless `options` ask for the kernel's
// uretprobes. A Go function without RET is an error.
Result<std::vector<UprobeTarget>> find_uprobe_targets(const ElfFile &elf,
                                                      const codegen::ProbeSpec &probe,
                                                      const UprobeOptions &options = {});

// The offset, from the function's start, of the first instruction after a Go function's
// stack-growth check (`cmp rsp, [r14+16]; jbe` and the forms around it, register and stack ABI),
// or 0 when its code starts with none (a NOSPLIT function).
uint64_t go_prologue_end(std::string_view code);

}  // namespace ut::runtime
