// -f json: one JSON object per line (NDJSON) in bpftrace's schema, e.g.
//   {"type": "map", "data": {"@k": {"1,a": 5}}}
// Object members are separated by ", " and ": ", array elements by "," (as newest bpftrace does).
// Every line is valid JSON and valid UTF-8 whatever bytes the traced process handed us.
#include <cstdio>
#include <optional>

#include "runtime/output/output.h"

namespace ut::runtime {
namespace {

using codegen::AggKind;
using codegen::Aggregation;
using codegen::TypeKind;

// JSON numbers are doubles to most readers (JavaScript, jq), so an integer beyond ±2^53 is
// printed as a string of its decimal digits and every bare number reads back exactly. Newest
// bpftrace quotes only the integers a double cannot hold; a fixed bound instead keeps a field
// from switching between number and string from one value to the next.
constexpr uint64_t kMaxExactInteger = uint64_t{1} << 53;

void append_unsigned(std::string &out, uint64_t v) {
  if (v > kMaxExactInteger)
    out += '"' + std::to_string(v) + '"';
  else
    out += std::to_string(v);
}

void append_signed(std::string &out, int64_t v) {
  uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  if (magnitude > kMaxExactInteger)
    out += '"' + std::to_string(v) + '"';
  else
    out += std::to_string(v);
}

// The length of the well-formed UTF-8 sequence that starts `s`, or 0 when there is none
// (overlong forms, surrogates and code points above U+10FFFF are not well-formed).
size_t utf8_sequence(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char first = byte(0), lo = 0x80, hi = 0xbf;
  size_t len;
  if (first >= 0xc2 && first <= 0xdf) {
    len = 2;
  } else if (first >= 0xe0 && first <= 0xef) {
    len = 3;
    if (first == 0xe0) lo = 0xa0;
    if (first == 0xed) hi = 0x9f;
  } else if (first >= 0xf0 && first <= 0xf4) {
    len = 4;
    if (first == 0xf0) lo = 0x90;
    if (first == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (s.size() < len || byte(1) < lo || byte(1) > hi) return 0;
  for (size_t i = 2; i < len; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  return len;
}

void append_escape(std::string &out, unsigned char c) {
  char buf[8];
  snprintf(buf, sizeof(buf), "\\u%04x", c);
  out += buf;
}

// A quoted JSON string. Control characters are escaped as bpftrace escapes them; a byte that
// is not part of well-formed UTF-8 becomes \u00XX (read back as U+00XX), so the line stays
// valid UTF-8.
void append_string(std::string &out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = utf8_sequence(s.substr(i));
      if (n) {
        out += s.substr(i, n);
        i += n;
      } else {
        append_escape(out, c);
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20)
          append_escape(out, c);
        else
          out += static_cast<char>(c);
    }
    ++i;
  }
  out += '"';
}

// The values bucket `index` of a hist or lhist holds, both ends inclusive; an open end is absent.
struct Bounds {
  std::optional<int64_t> min, max;
};

Bounds bucket_bounds(const Aggregation &agg, size_t index) {
  if (agg.kind == AggKind::Hist) {
    if (index == 0) return {std::nullopt, -1};
    if (index <= 2) return {static_cast<int64_t>(index) - 1, static_cast<int64_t>(index) - 1};
    int64_t lo = int64_t{1} << (index - 2);
    return {lo, lo + (lo - 1)};  // [2^62, 2^63) ends at INT64_MAX without overflowing
  }
  size_t full = agg.lhist_buckets() - 2;
  if (index == 0) return {std::nullopt, agg.lhist_min - 1};
  if (index > full) return {agg.lhist_max, std::nullopt};
  int64_t lo = agg.lhist_min + static_cast<int64_t>(index - 1) * agg.lhist_step;
  return {lo, lo + agg.lhist_step - 1};
}

// The buckets from the first to the last non-empty one, as the text table shows them:
//   [{"max": -1, "count": 1},{"min": 0, "max": 0, "count": 1}]
void append_buckets(std::string &out, const Aggregation &agg,
                    const std::vector<uint64_t> &buckets) {
  size_t first = 0, last = buckets.size();
  while (first < last && buckets[first] == 0) ++first;
  while (last > first && buckets[last - 1] == 0) --last;
  out += '[';
  for (size_t i = first; i < last; ++i) {
    if (i != first) out += ',';
    Bounds b = bucket_bounds(agg, i);
    out += '{';
    if (b.min) {
      out += "\"min\": ";
      append_signed(out, *b.min);
      out += ", ";
    }
    if (b.max) {
      out += "\"max\": ";
      append_signed(out, *b.max);
      out += ", ";
    }
    out += "\"count\": ";
    append_unsigned(out, buckets[i]);
    out += '}';
  }
  out += ']';
}

void append_aggregate(std::string &out, const Value &v) {
  switch (v.type.agg.kind) {
    case AggKind::Count:
      append_unsigned(out, static_cast<uint64_t>(v.i));
      break;
    case AggKind::Sum:
    case AggKind::Min:
    case AggKind::Max:
    case AggKind::Avg:
      append_signed(out, v.i);
      break;
    case AggKind::Stats:
      out += "{\"count\": ";
      append_unsigned(out, v.count);
      out += ", \"average\": ";
      append_signed(out, v.i);
      out += ", \"total\": ";
      append_signed(out, v.total);
      out += '}';
      break;
    case AggKind::Hist:
    case AggKind::Lhist:
      append_buckets(out, v.type.agg, v.buckets);
      break;
  }
}

// Integers and pointers as numbers, strings and what resolves to text as strings, tuples and C
// arrays as arrays, records as objects, spaced as bpftrace spaces them:
//   [{ "x": 1, "y": 2 },"two",[3,4]]
void append_value(std::string &out, const Value &v) {
  switch (v.type.kind) {
    case TypeKind::Integer:
      if (v.type.is_signed)
        append_signed(out, v.i);
      else
        append_unsigned(out, static_cast<uint64_t>(v.i));
      break;
    case TypeKind::Pointer:
      append_unsigned(out, static_cast<uint64_t>(v.i));
      break;
    case TypeKind::String:
      append_string(out, v.s);
      break;
    case TypeKind::Buffer:
    case TypeKind::Stack:
    case TypeKind::Usym:
    case TypeKind::Probe:
    case TypeKind::Func:
    case TypeKind::Username:
    case TypeKind::Timestamp:
    case TypeKind::Inet:
      append_string(out, v.text());
      break;
    case TypeKind::Aggregate:
      append_aggregate(out, v);
      break;
    case TypeKind::Tuple:
    case TypeKind::Array:
      out += '[';
      for (size_t e = 0; e < v.elements.size(); ++e) {
        if (e) out += ',';
        append_value(out, v.elements[e]);
      }
      out += ']';
      break;
    case TypeKind::Record: {
      out += "{ ";
      bool first = true;
      for (const RecordMember &m : record_members(v)) {
        if (!first) out += ", ";
        first = false;
        append_string(out, *m.name);
        out += ": ";
        append_value(out, *m.value);
      }
      out += " }";
      break;
    }
    case TypeKind::None:
      append_string(out, v.text());
      break;
  }
}

// bpftrace's record type for a map: avg and stats maps are "stats", hist and lhist "hist".
const char *map_record_type(const Value &v) {
  if (!v.type.is_aggregate()) return "map";
  switch (v.type.agg.kind) {
    case AggKind::Avg:
    case AggKind::Stats:
      return "stats";
    case AggKind::Hist:
    case AggKind::Lhist:
      return "hist";
    default:
      return "map";
  }
}

// A map key as a JSON object key: the parts' text joined by "," with no spaces ("1,a").
std::string key_text(const std::vector<Value> &keys) {
  std::string out;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i) out += ',';
    out += keys[i].key_text();
  }
  return out;
}

class JsonOutput : public Output {
 public:
  explicit JsonOutput(FILE *out) : out_(out) {}

  void attached(size_t probes) override {
    emit("attached_probes", "{\"probes\": " + std::to_string(probes) + "}");
  }

  void printf_text(std::string_view s) override {
    std::string data;
    append_string(data, s);
    emit("printf", data);
  }

  void value(const Value &v) override {
    std::string data;
    append_value(data, v);
    emit("value", data);
  }

  // bpftrace 0.17 prints its exit "\n\n" here even in JSON mode, which breaks NDJSON readers;
  // newest prints nothing, and so do we.
  void maps_begin() override {}

  // An empty map prints no line, as in bpftrace.
  void map(const MapSnapshot &m) override {
    if (m.entries.empty()) return;
    std::string data = "{";
    append_string(data, m.name);
    data += ": ";
    if (m.scalar) {
      append_value(data, m.entries.front().second);
    } else {
      data += '{';
      bool first = true;
      for (const auto &[keys, value] : m.entries) {
        if (!first) data += ", ";
        first = false;
        append_string(data, key_text(keys));
        data += ": ";
        append_value(data, value);
      }
      data += '}';
    }
    data += '}';
    emit(map_record_type(m.entries.front().second), data);
  }

  // On `out` like every other record: a JSON reader sees the whole story on one stream.
  void lost_events(uint64_t count) override {
    emit("lost_events", "{\"events\": " + std::to_string(count) + "}");
  }

  void raw(std::string_view s) override { fwrite(s.data(), 1, s.size(), out_); }

  void flush() override { fflush(out_); }

 private:
  // One line: {"type": "<type>", "data": <data>}
  void emit(std::string_view type, const std::string &data) {
    std::string line = "{\"type\": \"";
    line += type;
    line += "\", \"data\": " + data + "}\n";
    fwrite(line.data(), 1, line.size(), out_);
  }

  FILE *out_;
};

}  // namespace

std::unique_ptr<Output> make_json_output(FILE *out) {
  return std::make_unique<JsonOutput>(out);
}

}  // namespace ut::runtime
