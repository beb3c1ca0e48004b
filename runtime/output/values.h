// Values decoded from the bytes BPF wrote (event fields, map keys and values), by their Type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codegen/types.h"

namespace ut::runtime {

struct Value {
  codegen::Type type;
  int64_t i = 0;      // Integer (signed or not: the bits, reinterpret by type.is_signed); the value
                      // of count, sum, min, max, and the average of avg and stats
  std::string s;      // String, up to its NUL; Buffer, its bytes; Stack, its resolved frames
  int64_t total = 0;  // avg, stats: the sum of the values
  uint64_t count = 0;             // avg, stats: how many values
  std::vector<uint64_t> buckets;  // hist, lhist
  // Tuple: its elements. Array: its `count` elements. Record: one per field of `type.record`,
  // in order; an anonymous member is a nested Record, a member of no printable type (a float)
  // a Value of Type::none(). Names stay in the type (record_members() pairs them up).
  std::vector<Value> elements;
  // Usym: `i` is the address and `count` the pid; Probe and Func: `i` is the attach point's index
  // in the plan; `s` gets their text from a ValueResolver.
  // Timestamp: `i` is the CLOCK_BOOTTIME time in nanoseconds and `count` its format's index in
  // the plan; `s` gets the formatted time from a ValueResolver. Inet: `s` is the address's text
  // as decoded (empty for an unknown address family).
  // Stack: as decoded, `i` is the key of its frames, `count` the pid and `total` the return
  // address taken at a function's first instruction (0 elsewhere); `s` gets the frames' lines,
  // each ended by '\n', from a ValueResolver (runtime/session/resolver.h) before printing.
  // (Kept in `s`: a map of 100,000 entries holds 200,000 Values.)

  // As bpftrace prints it in maps: integers and pointers in decimal, strings raw, tuples as
  // "(1, two, 3)", records as "{ .x = 1, .y = 2 }", arrays as "[1,2,3]", stats as
  // "count 3, average 21, total 63". (hist and lhist print as tables: histogram.h.)
  std::string text() const;
  // As a map key, all the way down: records compact ("{.x=1,.y=2}"), and a stack's lines
  // indented by 4 (values: 8). The rest as text().
  std::string key_text() const;
  // The order maps print in: by value; avg and stats by average; hist and lhist by their total
  // count; strings as text; tuples, records and arrays element by element.
  bool operator<(const Value &o) const;
  bool operator==(const Value &o) const { return !(*this < o) && !(o < *this); }
};

// A member of a decoded record as it prints: its name and value.
struct RecordMember {
  const std::string *name;
  const Value *value;
};

// The members of a decoded record (`v.type.is_record()`) as bpftrace prints them, in order: the
// members of an anonymous struct or union member in its place, and neither members of no
// printable type (floats) nor unnamed bitfields (padding).
std::vector<RecordMember> record_members(const Value &v);

// A buffer's bytes as %r prints them (and print() and maps): printable ASCII as is, every other
// byte as \xNN; with `variant` 'x' every byte as \xNN, with 'h' as hex pairs apart ("03 00").
std::string buffer_text(std::string_view bytes, char variant = 0);

// Decodes a value of type `t` starting at `bytes[offset]`.
Value decode(const codegen::Type &t, std::string_view bytes, size_t offset);

// Merges the per-CPU slots of an aggregation (`ncpus` slots of `t.byte_size()` rounded up to 8).
Value merge_aggregate(const codegen::Type &t, std::string_view bytes, int ncpus);

// Decodes the fields of a struct of `types` (a map key), laid out as C lays it out.
std::vector<Value> decode_fields(const std::vector<codegen::Type> &types, std::string_view bytes);

}  // namespace ut::runtime
