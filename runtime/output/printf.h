// printf in user space: a FormatSpec applied to the values an event carried.
#pragma once

#include <string>
#include <vector>

#include "codegen/plan.h"
#include "runtime/output/values.h"

namespace ut::runtime {

// Formats like C's printf, except that every integer conversion prints the full 64-bit value
// (bpftrace 0.17 truncates %d, %u and %x to 32 bits).
std::string format_printf(const codegen::FormatSpec &spec, const std::vector<Value> &args);

}  // namespace ut::runtime
