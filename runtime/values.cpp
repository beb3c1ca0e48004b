#include "runtime/values.h"

#include <cstring>

namespace ut::runtime {

std::string Value::text() const {
  if (type.is_string()) return s;
  if (type.is_integer() && !type.is_signed) return std::to_string(static_cast<uint64_t>(i));
  return std::to_string(i);
}

bool Value::operator<(const Value &o) const {
  if (type.is_string()) return s < o.s;
  if (type.is_integer() && !type.is_signed)
    return static_cast<uint64_t>(i) < static_cast<uint64_t>(o.i);
  return i < o.i;
}

Value decode(const codegen::Type &t, std::string_view bytes, size_t offset) {
  Value v;
  v.type = t;
  size_t size = t.byte_size();
  if (offset + size > bytes.size()) return v;
  const char *p = bytes.data() + offset;
  if (t.is_string()) {
    v.s.assign(p, strnlen(p, size));
    return v;
  }
  uint64_t raw = 0;
  memcpy(&raw, p, size);  // little-endian: the low bytes
  if (t.is_integer() && t.is_signed && size < 8) {
    unsigned shift = 64 - size * 8;
    v.i = static_cast<int64_t>(raw << shift) >> shift;
  } else {
    v.i = static_cast<int64_t>(raw);
  }
  return v;
}

std::vector<Value> decode_fields(const std::vector<codegen::Type> &types, std::string_view bytes) {
  std::vector<Value> out;
  size_t offset = 0;
  for (const codegen::Type &t : types) {
    out.push_back(decode(t, bytes, offset));
    offset += (t.byte_size() + 7) / 8 * 8;
  }
  return out;
}

}  // namespace ut::runtime
