// Everything utrace prints on stdout goes through an Output. TextOutput prints what bpftrace
// prints; other formats (JSON) are other implementations.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/output/values.h"

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
  virtual void attached(size_t probes) = 0;          // "Attaching N probes..."
  virtual void printf_text(std::string_view s) = 0;  // what one printf() formatted
  virtual void value(const Value &v) = 0;            // print(value)
  virtual void maps_begin() = 0;                     // before the maps printed at exit
  virtual void map(const MapSnapshot &m) = 0;        // at exit, and print(@m)
  virtual void lost_events(uint64_t count) = 0;      // events the ring buffer dropped
  virtual void raw(std::string_view s) = 0;          // --dump, --help: text as it is
  virtual void flush() = 0;
};

// bpftrace's text output, on `out` (stdout, or the file of -o).
std::unique_ptr<Output> make_text_output(FILE *out);
// One JSON object per line in bpftrace's schema (-f json).
std::unique_ptr<Output> make_json_output(FILE *out);

}  // namespace ut::runtime
