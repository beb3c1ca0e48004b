#include "runtime/map_reader.h"

#include <algorithm>
#include <fstream>
#include <string>

namespace ut::runtime {

using codegen::AggKind;

int possible_cpus() {
  std::ifstream in("/sys/devices/system/cpu/possible");
  std::string ranges;
  std::getline(in, ranges);
  int highest = 0;
  size_t start = 0;
  while (start < ranges.size()) {  // "0-3,8-11"
    size_t end = ranges.find(',', start);
    std::string part =
        ranges.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t dash = part.find('-');
    highest =
        std::max(highest, std::atoi(part.c_str() + (dash == std::string::npos ? 0 : dash + 1)));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return highest + 1;
}

std::vector<int> online_cpus() {
  std::vector<int> cpus;
  std::ifstream in("/sys/devices/system/cpu/online");
  std::string range;
  while (std::getline(in, range, ',')) {
    int first = 0, last = 0;
    int n = sscanf(range.c_str(), "%d-%d", &first, &last);
    if (n < 1) continue;
    if (n == 1) last = first;
    for (int cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
  }
  return cpus;
}

Result<MapSnapshot> MapReader::read(const codegen::MapSpec &map) const {
  size_t value_size = map.value.byte_size();
  if (map.per_cpu) value_size = (value_size + 7) / 8 * 8 * ncpus_;
  MapSnapshot snap;
  snap.name = map.name;
  snap.scalar = map.key_types.empty();
  auto read = backend_.visit_map(
      map.c_name, map.key_size(), value_size, [&](std::string_view key, std::string_view value) {
        Value v =
            map.per_cpu ? merge_aggregate(map.value, value, ncpus_) : decode(map.value, value, 0);
        std::vector<Value> keys = decode_fields(map.key_types, key);
        if (resolver_) {
          for (Value &k : keys) resolver_->resolve(k);
          resolver_->resolve(v);
        }
        snap.entries.emplace_back(std::move(keys), std::move(v));
      });
  if (!read) return std::move(read).error().context(map.name);
  bool has_buckets = map.value.is_aggregate() &&
                     (map.value.agg.kind == AggKind::Hist || map.value.agg.kind == AggKind::Lhist);
  if (snap.scalar && snap.entries.empty() && !has_buckets) {
    // Never written: prints as zero, as newer bpftrace does, not as a blank line.
    Value zero;
    zero.type = map.value;
    snap.entries.emplace_back(std::vector<Value>{}, zero);
  }
  // Numbers sort by value (ties by key); strings and tuples by key, as bpftrace does.
  bool by_value = map.value.is_scalar() || map.value.is_aggregate();
  std::sort(snap.entries.begin(), snap.entries.end(), [by_value](const auto &a, const auto &b) {
    if (by_value && a.second < b.second) return true;
    if (by_value && b.second < a.second) return false;
    return a.first < b.first;
  });
  return snap;
}

}  // namespace ut::runtime
