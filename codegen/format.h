// printf format strings: split into literal text and conversions, checked against arguments.
#pragma once

#include <string>

#include "codegen/plan.h"
#include "support/result.h"

namespace ut::codegen {

// Splits `format` into pieces. Accepts bpftrace's conversions: flags '-' and '0', a width, a
// precision, the length modifiers hh h l ll j z t (ignored: every integer is printed as 64-bit),
// and d i u x X o c s p, and r rx rh for buf() values; "%%" is a literal '%'. Errors name the
// offending conversion.
Result<FormatSpec> parse_format(const std::string &format);

// The number of arguments the format takes.
size_t conversion_count(const FormatSpec &spec);

}  // namespace ut::codegen
