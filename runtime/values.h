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
  int64_t i = 0;  // Integer (signed or not: the bits, reinterpret by type.is_signed)
  std::string s;  // String, up to its NUL

  // As bpftrace prints it in maps: integers in decimal, strings raw.
  std::string text() const;
  // For sorting numeric values; strings compare as text.
  bool operator<(const Value &o) const;
};

// Decodes a value of type `t` starting at `bytes[offset]`.
Value decode(const codegen::Type &t, std::string_view bytes, size_t offset);

// Decodes consecutive 8-byte-aligned fields of `types` from `bytes` (map keys).
std::vector<Value> decode_fields(const std::vector<codegen::Type> &types, std::string_view bytes);

}  // namespace ut::runtime
