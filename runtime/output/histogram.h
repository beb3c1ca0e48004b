// hist() and lhist() values as the tables bpftrace prints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/types.h"

namespace ut::runtime {

// One row per bucket from the first to the last non-empty one:
//   [4, 8)                 3 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
// a 16-character label, an 8-character count, and a 52-character bar scaled to the largest bucket.
std::string format_histogram(const codegen::Aggregation &agg, const std::vector<uint64_t> &buckets);

// The label of bucket `index`: "(..., 0)", "[0]", "[1]", "[2, 4)", "[1K, 2K)" for hist;
// "(..., min)", "[lo, hi)", "[max, ...)" for lhist.
std::string bucket_label(const codegen::Aggregation &agg, size_t index);

// A bucket bound: with the largest of K, M, G, T, P, E (powers of 1024) that divides it exactly.
std::string bound_text(int64_t n);

}  // namespace ut::runtime
