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

}  // namespace

std::string Value::text() const {
  if (type.is_aggregate()) {
    if (type.agg.kind == AggKind::Stats)
      return "count " + std::to_string(count) + ", average " + std::to_string(i) + ", total " +
             std::to_string(total);
    if (type.agg.kind == AggKind::Count) return std::to_string(static_cast<uint64_t>(i));
    return std::to_string(i);
  }
  if (type.is_string()) return s;
  if (type.is_buffer()) return buffer_text(s);
  if (type.is_stack()) return stack_text(*this, 8);
  if (type.is_symbolic()) return s;
  if (type.kind == codegen::TypeKind::Tuple) {
    std::string out = "(";
    for (size_t e = 0; e < elements.size(); ++e) out += (e ? ", " : "") + elements[e].text();
    return out + ")";
  }
  if (type.is_integer() && !type.is_signed) return std::to_string(static_cast<uint64_t>(i));
  return std::to_string(i);
}

std::string Value::key_text() const {
  return type.is_stack() ? stack_text(*this, 4) : text();
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
  if (type.kind == codegen::TypeKind::Tuple) return elements < o.elements;
  if (type.is_integer() && !type.is_signed)
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
