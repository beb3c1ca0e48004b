// Compiling a plan's C into BPF with BCC's Clang. The only code that runs BCC's compiler; loading
// and attaching are KernelBackend's, so a cached object needs no Clang at all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/bpf/bpf_object.h"
#include "support/result.h"

namespace ut::runtime {

struct CompiledObject {
  BpfObject object;
  uint64_t compiler_peak_rss = 0;  // bytes, of the compiler process
};

// Compiles `c_source` with `defines` ("NAME=VALUE"), in a child process.
Result<CompiledObject> compile_with_bcc(const std::string &c_source,
                                        const std::vector<std::string> &defines);

// What the output of compile_with_bcc() depends on besides its arguments (BCC's version and the
// kernel's headers): part of a compile cache key.
std::string bcc_compiler_identity();

}  // namespace ut::runtime
