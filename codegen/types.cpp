#include "codegen/types.h"

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
    case TypeKind::Tuple: {
      uint32_t total = 0;
      for (const Type &e : elements) total += (e.byte_size() + 7) / 8 * 8;
      return total;
    }
  }
  return 0;
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
    case TypeKind::Tuple: {
      std::string s = "(";
      for (size_t i = 0; i < elements.size(); ++i) s += (i ? "," : "") + elements[i].str();
      return s + ")";
    }
  }
  return "?";
}

std::string Type::c_type() const {
  switch (kind) {
    case TypeKind::Integer:
      return std::string(is_signed ? "s" : "u") + std::to_string(bits);
    case TypeKind::Pointer:
      return "u64";
    case TypeKind::String:
      return "char";
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
      return size == o.size;
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
