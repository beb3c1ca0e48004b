// Everything utrace prints on stdout goes through an Output. TextOutput prints what bpftrace
// prints; other formats (JSON) are other implementations.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/values.h"

namespace ut::runtime {

// A map as read at one moment: entries sorted the way they print.
struct MapSnapshot {
  std::string name;
  bool scalar = true;  // no keys: printed as `@name: value`
  std::vector<std::pair<std::vector<Value>, Value>> entries;
};

class Output {
 public:
  virtual ~Output() = default;
  virtual void attached(size_t probes) = 0;   // "Attaching N probes..."
  virtual void text(std::string_view s) = 0;  // printf output
  virtual void maps_begin() = 0;              // before the maps printed at exit
  virtual void map(const MapSnapshot &m) = 0;
  virtual void flush() = 0;
};

std::unique_ptr<Output> make_text_output(FILE *out);

}  // namespace ut::runtime
