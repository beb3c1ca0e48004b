#include "codegen/types.h"

#include <algorithm>

namespace ut::codegen {

uint32_t Type::byte_size() const {
  switch (kind) {
    case TypeKind::None:
      return 0;
    case TypeKind::Integer:
      return bits / 8;
    case TypeKind::String:
      return size;
    case TypeKind::Pointer:
      return 8;
    case TypeKind::Buffer:
      return 8 + size;  // u64 length, then the bytes
    case TypeKind::Stack:
      return 24;  // struct ut_ustack
    case TypeKind::Usym:
      return 16;  // struct ut_usym
    case TypeKind::Probe:
    case TypeKind::Func:
      return 8;  // the index of the attach point in the plan
    case TypeKind::Username:
      return 8;  // the uid
    case TypeKind::Timestamp:
      return 16;  // struct ut_timestamp
    case TypeKind::Inet:
      return 24;  // struct ut_inet
    case TypeKind::Tuple: {
      std::vector<uint32_t> offsets = element_offsets();
      if (offsets.empty()) return 0;
      uint32_t end = offsets.back() + elements.back().byte_size();
      uint32_t a = align();
      return (end + a - 1) / a * a;
    }
    case TypeKind::Record:
      return record ? record->size : 0;
    case TypeKind::Array:
      return elements.empty() ? 0 : elements[0].byte_size() * count;
    case TypeKind::Aggregate:
      switch (agg.kind) {
        case AggKind::Count:
        case AggKind::Sum:
          return 8;
        case AggKind::Avg:
        case AggKind::Stats:
        case AggKind::Min:
        case AggKind::Max:
          return 16;
        case AggKind::Hist:
          return kHistBuckets * 8;
        case AggKind::Lhist:
          return agg.lhist_buckets() * 8;
      }
  }
  return 0;
}

uint32_t Type::align() const {
  switch (kind) {
    case TypeKind::Integer:
      return bits / 8;
    case TypeKind::String:
      return 1;
    case TypeKind::Record:
      return record ? record->align : 1;
    case TypeKind::Array:
      return elements.empty() ? 1 : elements[0].align();
    case TypeKind::Tuple: {
      uint32_t a = 1;
      for (const Type &e : elements) a = std::max(a, e.align());
      return a;
    }
    default:
      return 8;  // pointers, ids and the prelude's structs of u64s
  }
}

std::vector<uint32_t> Type::element_offsets() const {
  std::vector<uint32_t> out;
  uint32_t at = 0;
  for (const Type &e : elements) {
    uint32_t a = e.align();
    at = (at + a - 1) / a * a;
    out.push_back(at);
    at += e.byte_size();
  }
  return out;
}

bool RecordField::operator==(const RecordField &o) const {
  return name == o.name && type == o.type && offset == o.offset && bit_shift == o.bit_shift &&
         bit_width == o.bit_width;
}

std::optional<RecordField> Record::find(const std::string &member) const {
  for (const RecordField &f : fields) {
    if (f.name == member) return f;
    if (!f.name.empty() || !f.type.is_record() || !f.type.record) continue;
    if (auto inner = f.type.record->find(member)) {
      inner->offset += f.offset;
      return inner;
    }
  }
  return std::nullopt;
}

std::vector<std::string> Record::member_names() const {
  std::vector<std::string> out;
  for (const RecordField &f : fields) {
    if (!f.name.empty()) {
      out.push_back(f.name);
    } else if (f.type.is_record() && f.type.record) {
      for (std::string &n : f.type.record->member_names()) out.push_back(std::move(n));
    }
  }
  return out;
}

const char *agg_name(AggKind kind) {
  switch (kind) {
    case AggKind::Count:
      return "count";
    case AggKind::Sum:
      return "sum";
    case AggKind::Avg:
      return "avg";
    case AggKind::Min:
      return "min";
    case AggKind::Max:
      return "max";
    case AggKind::Stats:
      return "stats";
    case AggKind::Hist:
      return "hist";
    case AggKind::Lhist:
      return "lhist";
  }
  return "?";
}

std::string Type::str() const {
  switch (kind) {
    case TypeKind::None:
      return "none";
    case TypeKind::Integer:
      return std::string(is_signed ? "" : "unsigned ") + "int" + std::to_string(bits);
    case TypeKind::String:
      return "string[" + std::to_string(size) + "]";
    case TypeKind::Pointer:
      return elements[0].str() + " *";
    case TypeKind::Buffer:
      return "buffer[" + std::to_string(size) + "]";
    case TypeKind::Stack:
      return "ustack";
    case TypeKind::Usym:
      return "usym";
    case TypeKind::Probe:
      return "probe";
    case TypeKind::Func:
      return "func";
    case TypeKind::Username:
      return "username";
    case TypeKind::Timestamp:
      return "timestamp";
    case TypeKind::Inet:
      return "inet";
    case TypeKind::Record:
      if (!record) return "record";
      return record->name.empty() ? (record->is_union ? "union <anonymous>" : "struct <anonymous>")
                                  : record->name;
    case TypeKind::Array:
      return elements[0].str() + "[" + std::to_string(count) + "]";
    case TypeKind::Tuple: {
      std::string s = "(";
      for (size_t i = 0; i < elements.size(); ++i) s += (i ? "," : "") + elements[i].str();
      return s + ")";
    }
    case TypeKind::Aggregate:
      return agg_name(agg.kind);
  }
  return "?";
}

Type read_type(const Type &stored) {
  if (!stored.is_aggregate()) return stored;
  switch (stored.agg.kind) {
    case AggKind::Count:
    case AggKind::Sum:
    case AggKind::Min:
    case AggKind::Max:
    case AggKind::Avg:
      return Type::integer(64, stored.agg.kind != AggKind::Count);
    default:
      return Type::none();
  }
}

std::string Type::c_type() const {
  switch (kind) {
    case TypeKind::Integer:
      return std::string(is_signed ? "s" : "u") + std::to_string(bits);
    case TypeKind::Pointer:
      return "u64";
    case TypeKind::String:
      return "char";
    case TypeKind::Buffer:
      return "struct ut_buffer";
    case TypeKind::Stack:
      return "struct ut_ustack";
    case TypeKind::Usym:
      return "struct ut_usym";
    case TypeKind::Probe:
    case TypeKind::Func:
    case TypeKind::Username:
      return "u64";
    case TypeKind::Timestamp:
      return "struct ut_timestamp";
    case TypeKind::Inet:
      return "struct ut_inet";
    case TypeKind::Aggregate:
      switch (agg.kind) {
        case AggKind::Count:
          return "u64";
        case AggKind::Sum:
          return "s64";
        case AggKind::Avg:
        case AggKind::Stats:
          return "struct ut_avg";
        case AggKind::Min:
        case AggKind::Max:
          return "struct ut_minmax";
        case AggKind::Hist:
          return "struct ut_hist";
        case AggKind::Lhist:
          return "struct ut_lhist_" + std::to_string(agg.lhist_buckets());
      }
      return "u64";
    default:
      return "u64";
  }
}

bool Type::operator==(const Type &o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case TypeKind::Integer:
      return bits == o.bits && is_signed == o.is_signed;
    case TypeKind::String:
    case TypeKind::Buffer:
      return size == o.size;
    case TypeKind::Stack:
      return size == o.size && stack_mode == o.stack_mode;
    case TypeKind::Aggregate:
      return agg == o.agg;
    case TypeKind::Array:
      return count == o.count && elements == o.elements;
    case TypeKind::Record:
      if (record == o.record) return true;
      if (!record || !o.record) return false;
      // Known by name only on either side: the name decides.
      if (!record->complete || !o.record->complete) return record->name == o.record->name;
      return record->name == o.record->name && record->size == o.record->size &&
             record->fields == o.record->fields;
    default:
      return elements == o.elements;
  }
}

Type integer_type_named(const std::string &name) {
  static const struct {
    const char *name;
    uint32_t bits;
    bool is_signed;
  } kTypes[] = {
      {"int8", 8, true},   {"int16", 16, true},   {"int32", 32, true},   {"int64", 64, true},
      {"uint8", 8, false}, {"uint16", 16, false}, {"uint32", 32, false}, {"uint64", 64, false},
  };
  for (const auto &t : kTypes)
    if (name == t.name) return Type::integer(t.bits, t.is_signed);
  return Type::none();
}

}  // namespace ut::codegen
