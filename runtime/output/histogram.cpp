#include "runtime/output/histogram.h"

#include <algorithm>
#include <cstdio>

namespace ut::runtime {

using codegen::AggKind;

std::string bound_text(int64_t n) {
  static const struct {
    int shift;
    char suffix;
  } kUnits[] = {
      {60, 'E'}, {50, 'P'}, {40, 'T'}, {30, 'G'}, {20, 'M'}, {10, 'K'},
  };
  if (n > 0) {
    for (const auto &u : kUnits) {
      int64_t unit = int64_t{1} << u.shift;
      if (n % unit == 0) return std::to_string(n / unit) + u.suffix;
    }
  }
  return std::to_string(n);
}

std::string bucket_label(const codegen::Aggregation &agg, size_t index) {
  if (agg.kind == AggKind::Hist) {
    if (index == 0) return "(..., 0)";
    if (index == 1) return "[0]";
    if (index == 2) return "[1]";
    int64_t lo = int64_t{1} << (index - 2);
    std::string hi = index - 1 >= 63 ? "8E" : bound_text(int64_t{1} << (index - 1));
    return "[" + bound_text(lo) + ", " + hi + ")";
  }
  size_t full = agg.lhist_buckets() - 2;
  if (index == 0) return "(..., " + bound_text(agg.lhist_min) + ")";
  if (index > full) return "[" + bound_text(agg.lhist_max) + ", ...)";
  int64_t lo = agg.lhist_min + static_cast<int64_t>(index - 1) * agg.lhist_step;
  return "[" + bound_text(lo) + ", " + bound_text(lo + agg.lhist_step) + ")";
}

std::string format_histogram(const codegen::Aggregation &agg,
                             const std::vector<uint64_t> &buckets) {
  auto nonzero = [](uint64_t n) { return n != 0; };
  auto first = std::find_if(buckets.begin(), buckets.end(), nonzero);
  if (first == buckets.end()) return "";
  auto last = std::find_if(buckets.rbegin(), buckets.rend(), nonzero).base();
  uint64_t max = *std::max_element(first, last);
  std::string out;
  for (auto it = first; it != last; ++it) {
    size_t width = static_cast<size_t>(static_cast<double>(*it) / static_cast<double>(max) * 52);
    char row[160];
    snprintf(row, sizeof(row), "%-16s%8llu |%s%s|\n",
             bucket_label(agg, it - buckets.begin()).c_str(), static_cast<unsigned long long>(*it),
             std::string(width, '@').c_str(), std::string(52 - width, ' ').c_str());
    out += row;
  }
  return out;
}

}  // namespace ut::runtime
