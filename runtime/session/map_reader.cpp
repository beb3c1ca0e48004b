#include "runtime/session/map_reader.h"

#include <algorithm>
#include <string>

namespace ut::runtime {

using codegen::AggKind;

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
