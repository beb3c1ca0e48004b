// What probes can read of a traced function's parameters and results (codegen::FunctionFacts),
// from its DWARF and the calling convention of its language: where each value is at the
// function's entry (parameters) or at its RET instructions (Go's results), and of what kind.
#pragma once

#include "codegen/binaries.h"
#include "runtime/binary/dwarf.h"

namespace ut::runtime {

// Which convention places the values: System V for C and the like, Go's register ABI (Go 1.17+
// on amd64), or Go's older stack ABI.
enum class CallingConvention { SystemV, GoRegisters, GoStack };

// Parameters are placed where DWARF's location at the entry says, when it names registers (or,
// for Go, the stack above the return address); else by the convention (C at -O0 states stack
// slots the prologue has not filled yet at the entry). Go's results are placed by the register
// ABI's assignment, which DWARF does not state. `dwarf` describes pointed-to structs' members
// and gives every value its utrace type (ValueFacts::type).
codegen::FunctionFacts function_facts(DwarfInfo &dwarf, const DwarfFunction &fn,
                                      CallingConvention convention);

}  // namespace ut::runtime
