#include "runtime/output/values.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>

#include <cstring>

namespace ut::runtime {

using codegen::AggKind;

namespace {

uint64_t total_count(const std::vector<uint64_t> &buckets) {
  uint64_t n = 0;
  for (uint64_t b : buckets) n += b;
  return n;
}

template <typename T>
T read(std::string_view bytes, size_t offset) {
  T v{};
  if (offset + sizeof(T) <= bytes.size()) memcpy(&v, bytes.data() + offset, sizeof(T));
  return v;
}

// The 8 bytes at `offset` as a little-endian integer, those past the end of `bytes` as 0.
uint64_t read_low(std::string_view bytes, size_t offset) {
  uint64_t v = 0;
  if (offset < bytes.size())
    memcpy(&v, bytes.data() + offset, std::min<size_t>(8, bytes.size() - offset));
  return v;
}

// A stack as bpftrace prints it: each frame on its own line after a newline, indented by
// `indent` spaces (perf mode: a tab), the last line ended too.
std::string stack_text(const Value &v, int indent) {
  std::string pad = v.type.stack_mode == codegen::StackMode::Perf ? "\t" : std::string(indent, ' ');
  std::string out = "\n";
  for (size_t at = 0, end; at < v.s.size(); at = end + 1) {
    end = v.s.find('\n', at);
    if (end == std::string::npos) end = v.s.size();
    out += pad;
    out.append(v.s, at, end - at);
    out += '\n';
  }
  return out;
}

// Text in the form a map key takes (`key`) or a value takes. They differ only in how a stack
// is indented and how a record is spaced, at any depth.
std::string compound_text(const Value &v, bool key) {
  if (v.type.is_stack()) return stack_text(v, key ? 4 : 8);
  auto text = [key](const Value &e) { return key ? e.key_text() : e.text(); };
  std::string out;
  switch (v.type.kind) {
    case codegen::TypeKind::Tuple:
      for (const Value &e : v.elements) out += (out.empty() ? "" : ", ") + text(e);
      return "(" + out + ")";
    case codegen::TypeKind::Array:
      for (const Value &e : v.elements) out += (out.empty() ? "" : ",") + text(e);
      return "[" + out + "]";
    case codegen::TypeKind::Record:
      // bpftrace: {.a=1,.b=2} in keys, { .a = 1, .b = 2 } elsewhere.
      for (const RecordMember &m : record_members(v)) {
        if (!out.empty()) out += key ? "," : ", ";
        out += "." + *m.name + (key ? "=" : " = ") + text(*m.value);
      }
      return key ? "{" + out + "}" : "{ " + out + " }";
    default:
      return v.text();
  }
}

// The kinds whose text as a key differs from their text as a value.
bool is_compound(const codegen::Type &t) {
  return t.is_stack() || t.kind == codegen::TypeKind::Tuple || t.is_array() || t.is_record();
}

// Appends the members of record `v` as record_members() gives them.
void add_members(const Value &v, std::vector<RecordMember> &out) {
  const auto &fields = v.type.record->fields;
  for (size_t f = 0; f < fields.size() && f < v.elements.size(); ++f) {
    const Value &e = v.elements[f];
    if (!fields[f].name.empty()) {
      if (!e.type.is_none()) out.push_back({&fields[f].name, &e});
    } else if (e.type.is_record() && e.type.record) {
      add_members(e, out);
    }
  }
}

// A bitfield: `f.bit_width` bits from bit `f.bit_shift` of the bytes at `offset`, sign-extended
// when its declared type is signed.
Value decode_bitfield(const codegen::RecordField &f, std::string_view bytes, size_t offset) {
  Value v;
  v.type = f.type;
  uint64_t lo = read_low(bytes, offset), hi = read_low(bytes, offset + 8);
  unsigned shift = f.bit_shift % 64, width = std::min(f.bit_width, 64u);
  uint64_t bits = shift ? (lo >> shift) | (hi << (64 - shift)) : lo;
  if (width < 64) {
    uint64_t mask = (uint64_t{1} << width) - 1;
    bits &= mask;
    if (f.type.is_signed && (bits >> (width - 1)) & 1) bits |= ~mask;
  }
  v.i = static_cast<int64_t>(bits);
  return v;
}

}  // namespace

std::vector<RecordMember> record_members(const Value &v) {
  std::vector<RecordMember> out;
  if (v.type.is_record() && v.type.record) add_members(v, out);
  return out;
}

std::string Value::text() const {
  if (is_compound(type)) return compound_text(*this, false);
  if (type.is_aggregate()) {
    if (type.agg.kind == AggKind::Stats)
      return "count " + std::to_string(count) + ", average " + std::to_string(i) + ", total " +
             std::to_string(total);
    if (type.agg.kind == AggKind::Count) return std::to_string(static_cast<uint64_t>(i));
    return std::to_string(i);
  }
  if (type.is_string()) return s;
  if (type.is_buffer()) return buffer_text(s);
  if (type.is_symbolic()) return s;
  if ((type.is_integer() && !type.is_signed) || type.is_pointer())
    return std::to_string(static_cast<uint64_t>(i));
  return std::to_string(i);
}

std::string Value::key_text() const {
  return is_compound(type) ? compound_text(*this, true) : text();
}

bool Value::operator<(const Value &o) const {
  if (type.is_aggregate()) {
    if (type.agg.kind == AggKind::Hist || type.agg.kind == AggKind::Lhist)
      return total_count(buckets) < total_count(o.buckets);
    if (type.agg.kind == AggKind::Count)
      return static_cast<uint64_t>(i) < static_cast<uint64_t>(o.i);
    return i < o.i;
  }
  if (type.is_string() || type.is_buffer()) return s < o.s;
  if (type.is_symbolic()) return s < o.s;
  if (type.kind == codegen::TypeKind::Tuple || type.is_record() || type.is_array())
    return elements < o.elements;
  if ((type.is_integer() && !type.is_signed) || type.is_pointer())
    return static_cast<uint64_t>(i) < static_cast<uint64_t>(o.i);
  return i < o.i;
}

std::string buffer_text(std::string_view bytes, char variant) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto c = static_cast<unsigned char>(bytes[n]);
    if (variant == 'h') {
      if (n) out += ' ';
    } else if (variant != 'x' && c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      continue;
    } else {
      out += "\\x";
    }
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Value decode(const codegen::Type &t, std::string_view bytes, size_t offset) {
  Value v;
  v.type = t;
  size_t size = t.byte_size();
  if (offset + size > bytes.size()) return v;
  const char *p = bytes.data() + offset;
  if (t.kind == codegen::TypeKind::Tuple) {
    std::vector<uint32_t> offsets = t.element_offsets();
    for (size_t e = 0; e < t.elements.size(); ++e)
      v.elements.push_back(decode(t.elements[e], bytes, offset + offsets[e]));
    return v;
  }
  if (t.is_record()) {
    if (!t.record) return v;
    v.elements.reserve(t.record->fields.size());
    for (const codegen::RecordField &f : t.record->fields)
      v.elements.push_back(f.is_bitfield() ? decode_bitfield(f, bytes, offset + f.offset)
                                           : decode(f.type, bytes, offset + f.offset));
    return v;
  }
  if (t.is_array()) {
    const codegen::Type &element = t.elements[0];
    size_t stride = element.byte_size();
    v.elements.reserve(t.count);
    for (size_t n = 0; n < t.count; ++n)
      v.elements.push_back(decode(element, bytes, offset + n * stride));
    return v;
  }
  if (t.is_none()) return v;  // a float, or another member that has no printable value
  if (t.is_string()) {
    v.s.assign(p, strnlen(p, size));
    return v;
  }
  if (t.kind == codegen::TypeKind::Usym) {
    memcpy(&v.i, p, 8);
    memcpy(&v.count, p + 8, 8);
    return v;
  }
  if (t.kind == codegen::TypeKind::Timestamp) {
    memcpy(&v.i, p, 8);
    memcpy(&v.count, p + 8, 8);
    return v;
  }
  if (t.kind == codegen::TypeKind::Inet) {
    uint64_t af = 0;
    memcpy(&af, p, 8);
    char text[INET6_ADDRSTRLEN] = "";
    if ((af == AF_INET || af == AF_INET6) &&
        inet_ntop(static_cast<int>(af), p + 8, text, sizeof(text)))
      v.s = text;
    return v;
  }
  if (t.is_stack()) {
    memcpy(&v.i, p, 8);
    memcpy(&v.count, p + 8, 8);
    uint64_t caller = 0;
    memcpy(&caller, p + 16, 8);
    v.total = static_cast<int64_t>(caller);
    return v;
  }
  if (t.is_buffer()) {
    uint64_t length = 0;
    memcpy(&length, p, sizeof(length));
    v.s.assign(p + sizeof(length), std::min<uint64_t>(length, t.size));
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

Value merge_aggregate(const codegen::Type &t, std::string_view bytes, int ncpus) {
  Value v;
  v.type = t;
  size_t stride = (t.byte_size() + 7) / 8 * 8;
  bool found = false;
  if (t.agg.kind == AggKind::Hist || t.agg.kind == AggKind::Lhist)
    v.buckets.assign(t.byte_size() / 8, 0);
  for (int cpu = 0; cpu < ncpus; ++cpu) {
    size_t at = cpu * stride;
    switch (t.agg.kind) {
      case AggKind::Count:
      case AggKind::Sum:
        v.i += read<int64_t>(bytes, at);
        break;
      case AggKind::Avg:
      case AggKind::Stats:
        v.total += read<int64_t>(bytes, at);
        v.count += read<uint64_t>(bytes, at + 8);
        break;
      case AggKind::Min:
      case AggKind::Max: {
        int64_t value = read<int64_t>(bytes, at);
        if (!read<uint64_t>(bytes, at + 8)) break;  // this CPU never saw a value
        bool better = t.agg.kind == AggKind::Min ? value < v.i : value > v.i;
        if (!found || better) v.i = value;
        found = true;
        break;
      }
      case AggKind::Hist:
      case AggKind::Lhist:
        for (size_t b = 0; b < v.buckets.size(); ++b)
          v.buckets[b] += read<uint64_t>(bytes, at + 8 * b);
        break;
    }
  }
  if (t.agg.kind == AggKind::Avg || t.agg.kind == AggKind::Stats)
    v.i = v.count ? v.total / static_cast<int64_t>(v.count) : 0;
  return v;
}

std::vector<Value> decode_fields(const std::vector<codegen::Type> &types, std::string_view bytes) {
  std::vector<Value> out;
  std::vector<uint32_t> offsets = codegen::Type::tuple(types).element_offsets();
  for (size_t i = 0; i < types.size(); ++i) out.push_back(decode(types[i], bytes, offsets[i]));
  return out;
}

}  // namespace ut::runtime
