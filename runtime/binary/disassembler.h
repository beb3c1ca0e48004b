// x86-64 machine code decoded into instructions with LLVM's disassembler: where each one starts,
// how long it is, and whether it returns. Used to refuse a uprobe in the middle of an
// instruction (symbol+offset) and, for Go, to find a function's RET instructions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "support/result.h"

namespace ut::runtime {

struct Instruction {
  uint64_t offset = 0;  // from the start of the code
  uint32_t size = 0;
  bool is_return = false;
};

// Decodes `code` from its first byte to its end. Bytes that are no instruction are an error
// naming their offset; with `whole` false, decoding just stops there instead.
Result<std::vector<Instruction>> disassemble_x86_64(std::string_view code, bool whole = true);

}  // namespace ut::runtime
