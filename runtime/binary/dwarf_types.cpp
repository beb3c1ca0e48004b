// DWARF types as utrace types, and the names that find them. Compiled as C++17 under clang, as
// dwarf.cpp is (LLVM's DWARF headers).
#include "runtime/binary/dwarf_types.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <llvm/DebugInfo/DWARF/DWARFUnit.h>
#include <llvm/Support/LEB128.h>

namespace ut::runtime {
namespace {

using codegen::Record;
using codegen::RecordField;
using codegen::Type;
using llvm::DWARFDie;
namespace dw = llvm::dwarf;

// The conversion's own limit: a record nested in records takes a few steps per level (member,
// typedef, qualifier, array), more than spelling a type does.
constexpr int kMaxConvertDepth = 2 * kMaxTypeDepth;

// An array bound past this is taken as unknown: an upper bound of -1 written unsigned (C's
// zero-length arrays) or a bound nothing could hold.
constexpr uint64_t kMaxArrayCount = uint64_t{1} << 31;

bool is_record(dw::Tag tag) {
  return tag == dw::DW_TAG_structure_type || tag == dw::DW_TAG_class_type ||
         tag == dw::DW_TAG_union_type;
}

bool is_qualifier(dw::Tag tag) {
  return tag == dw::DW_TAG_const_type || tag == dw::DW_TAG_volatile_type ||
         tag == dw::DW_TAG_restrict_type || tag == dw::DW_TAG_atomic_type;
}

// Set on the DIE itself: a definition made elsewhere (DW_AT_specification) points to its
// declaration, whose flag it does not share.
bool is_declaration(const DWARFDie &die) {
  return dw::toUnsigned(die.find(dw::DW_AT_declaration), 0) != 0;
}

// The key of a DIE's conversion: its offset, and a bit that keeps the DIEs of type units apart
// (their offsets count in .debug_types).
uint64_t key(const DWARFDie &die) {
  return die.getOffset() << 1 | (die.getDwarfUnit()->isTypeUnit() ? 1 : 0);
}

uint64_t byte_size(const DWARFDie &die) {
  return dw::toUnsigned(die.find(dw::DW_AT_byte_size), 0);
}

// An integer of `bytes` bytes; none for sizes utrace has no integer of (__int128).
Type integer(uint64_t bytes, bool is_signed) {
  if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) return Type::none();
  return Type::integer(static_cast<uint32_t>(bytes * 8), is_signed);
}

Type base_type(const DWARFDie &die) {
  uint64_t size = byte_size(die);
  switch (dw::toUnsigned(die.find(dw::DW_AT_encoding), 0)) {
    case dw::DW_ATE_signed:
    case dw::DW_ATE_signed_char:
      return integer(size, true);
    case dw::DW_ATE_boolean:
    case dw::DW_ATE_unsigned:
    case dw::DW_ATE_unsigned_char:
    case dw::DW_ATE_UTF:
      return integer(size, false);
    default:
      return Type::none();  // floats, complex and decimal numbers
  }
}

// Whether an array of `element` holds text: C's char, signed char or unsigned char, behind
// qualifiers but not typedefs (uint8_t and Go's uint8 hold bytes).
bool is_char(DWARFDie element) {
  for (int depth = 0; element && is_qualifier(element.getTag()) && depth < kMaxTypeDepth; ++depth)
    element = type_of(element);
  if (!element || element.getTag() != dw::DW_TAG_base_type || byte_size(element) != 1) return false;
  uint64_t encoding = dw::toUnsigned(element.find(dw::DW_AT_encoding), 0);
  // Plain `char` only: `unsigned char` and `signed char` arrays hold bytes (bpftrace's rule).
  return (encoding == dw::DW_ATE_signed_char || encoding == dw::DW_ATE_unsigned_char) &&
         name_of(element) == "char";
}

// How many elements a DW_TAG_subrange_type counts; 0 when it does not say (`int a[]`, a
// variable length).
uint32_t element_count(const DWARFDie &subrange) {
  uint64_t count = 0;
  if (auto n = dw::toUnsigned(subrange.find(dw::DW_AT_count))) {
    count = *n;
  } else if (auto upper = dw::toUnsigned(subrange.find(dw::DW_AT_upper_bound))) {
    uint64_t lower = dw::toUnsigned(subrange.find(dw::DW_AT_lower_bound), 0);
    count = *upper + 1 - lower;
  }
  return count > kMaxArrayCount ? 0 : static_cast<uint32_t>(count);
}

// A member's offset in bytes, from DW_AT_data_member_location: a constant, or DWARF 2's
// expression "DW_OP_plus_uconst N". 0 when it has none (a union's members); nullopt when it is
// computed at run time (a virtual base class).
std::optional<uint64_t> member_location(const DWARFDie &member) {
  auto location = member.find(dw::DW_AT_data_member_location);
  if (!location) return 0;
  if (auto constant = location->getAsUnsignedConstant()) return *constant;
  auto block = location->getAsBlock();
  if (!block || block->empty() || (*block)[0] != dw::DW_OP_plus_uconst) return std::nullopt;
  unsigned length = 0;
  const char *error = nullptr;
  uint64_t value =
      llvm::decodeULEB128(block->data() + 1, &length, block->data() + block->size(), &error);
  if (error != nullptr || 1 + length != block->size()) return std::nullopt;
  return value;
}

// The members a record's layout has: data members and base classes, not static members
// (declarations in DWARF), methods or nested types.
bool is_layout_member(const DWARFDie &child) {
  dw::Tag tag = child.getTag();
  if (tag == dw::DW_TAG_inheritance) return true;
  return tag == dw::DW_TAG_member && !is_declaration(child) && !child.find(dw::DW_AT_external);
}

// The alignment C gives a value of `type`: DW_AT_alignment where the compiler states it, else
// an integer's or a float's size, a pointer's, an array's element's, a record's largest
// member's. A record whose size that does not divide is packed, and aligned to what does.
uint32_t alignment(DWARFDie type, int depth) {
  if (!type || depth > kMaxConvertDepth) return 1;
  if (auto stated = dw::toUnsigned(type.find(dw::DW_AT_alignment))) {
    return std::max<uint32_t>(1, static_cast<uint32_t>(*stated));
  }
  dw::Tag tag = type.getTag();
  if (tag == dw::DW_TAG_typedef || is_qualifier(tag) || tag == dw::DW_TAG_array_type) {
    return alignment(type_of(type), depth + 1);
  }
  if (tag == dw::DW_TAG_base_type || tag == dw::DW_TAG_enumeration_type) {
    uint64_t size = byte_size(type);
    if (size == 0 && tag == dw::DW_TAG_enumeration_type) return alignment(type_of(type), depth + 1);
    return static_cast<uint32_t>(std::clamp<uint64_t>(size, 1, 16));
  }
  if (tag == dw::DW_TAG_pointer_type || tag == dw::DW_TAG_reference_type ||
      tag == dw::DW_TAG_rvalue_reference_type || tag == dw::DW_TAG_ptr_to_member_type) {
    return type.getDwarfUnit()->getAddressByteSize();
  }
  if (!is_record(tag) || is_declaration(type)) return 1;
  uint32_t align = 1;
  for (const DWARFDie &child : type.children()) {
    if (is_layout_member(child)) align = std::max(align, alignment(type_of(child), depth + 1));
  }
  uint64_t size = byte_size(type);
  while (align > 1 && size % align != 0) align /= 2;
  return align;
}

}  // namespace

DWARFDie referenced(const DWARFDie &die, dw::Attribute attr) {
  auto value = die.findRecursively(attr);
  return value ? die.getAttributeValueAsReferencedDie(*value) : DWARFDie();
}

DWARFDie underlying(DWARFDie type) {
  for (int depth = 0; type && depth <= kMaxTypeDepth; ++depth) {
    dw::Tag tag = type.getTag();
    if (tag != dw::DW_TAG_typedef && !is_qualifier(tag)) return type;
    type = type_of(type);
  }
  return DWARFDie();
}

DWARFDie declaration_of(const DWARFDie &die) {
  DWARFDie declaration = die;
  for (int depth = 0; depth < kMaxTypeDepth; ++depth) {
    DWARFDie origin = declaration.getAttributeValueAsReferencedDie(dw::DW_AT_abstract_origin);
    if (!origin) origin = declaration.getAttributeValueAsReferencedDie(dw::DW_AT_specification);
    if (!origin) break;
    declaration = origin;
  }
  return declaration;
}

std::string qualified(const DWARFDie &die, std::string name) {
  DWARFDie scope = declaration_of(die);
  for (DWARFDie parent = scope.getParent(); parent; parent = parent.getParent()) {
    dw::Tag tag = parent.getTag();
    if (tag != dw::DW_TAG_namespace && !is_record(tag)) break;
    std::string outer = name_of(parent);
    if (outer.empty())
      outer = tag == dw::DW_TAG_namespace ? "(anonymous namespace)" : "<anonymous>";
    name = outer + "::" + name;
  }
  return name;
}

std::string script_type_name(const DWARFDie &die) {
  std::string name = dw::toString(die.findRecursively(dw::DW_AT_name), "");
  if (name.empty()) return "";
  switch (die.getTag()) {
    case dw::DW_TAG_structure_type:
    case dw::DW_TAG_class_type:
      return "struct " + qualified(die, name);
    case dw::DW_TAG_union_type:
      return "union " + qualified(die, name);
    case dw::DW_TAG_enumeration_type:
      return "enum " + qualified(die, name);
    case dw::DW_TAG_typedef:
    case dw::DW_TAG_base_type:
      return qualified(die, name);
    default:
      return "";
  }
}

// --- DwarfNames ---

DwarfNames::DwarfNames(llvm::DWARFContext &context) : context_(&context) {
  for (const auto &unit : context.compile_units()) {
    for (const llvm::DWARFDebugInfoEntry &entry : unit->dies()) {
      DWARFDie die(unit.get(), &entry);
      dw::Tag tag = die.getTag();
      if (tag == dw::DW_TAG_variable) {
        add_variable(die);
      } else if (is_record(tag) || tag == dw::DW_TAG_enumeration_type ||
                 tag == dw::DW_TAG_typedef || tag == dw::DW_TAG_base_type) {
        add_type(die);
      }
    }
  }
}

void DwarfNames::add_type(const DWARFDie &die) {
  if (is_declaration(die)) return;
  std::string scoped = script_type_name(die);
  if (scoped.empty()) return;
  Entry entry{die.getOffset(), true};
  types_.emplace(scoped, entry);
  // The same with the scopes left out: "struct Widget" for "struct geo::Widget".
  std::string name = dw::toString(die.findRecursively(dw::DW_AT_name), "");
  size_t keyword = scoped.find(' ');
  std::string unscoped = is_record(die.getTag()) || die.getTag() == dw::DW_TAG_enumeration_type
                             ? scoped.substr(0, keyword + 1) + name
                             : name;
  if (unscoped != scoped) unscoped_types_.emplace(unscoped, entry);
}

void DwarfNames::add_variable(const DWARFDie &die) {
  // At file scope or in a namespace; a definition outside its class or namespace
  // (DW_AT_specification) is at file scope too.
  DWARFDie parent = die.getParent();
  dw::Tag scope = parent ? parent.getTag() : dw::DW_TAG_null;
  if (scope != dw::DW_TAG_compile_unit && scope != dw::DW_TAG_partial_unit &&
      scope != dw::DW_TAG_namespace)
    return;
  std::string name = dw::toString(die.findRecursively(dw::DW_AT_name), "");
  if (name.empty()) return;
  Entry entry{die.getOffset(), !is_declaration(die)};
  // A definition replaces a declaration met first (`extern int a[];` says no bound).
  auto add = [&entry](std::unordered_map<std::string, Entry> &names, const std::string &key) {
    auto [at, added] = names.emplace(key, entry);
    if (!added && !at->second.definition && entry.definition) at->second = entry;
  };
  std::string scoped = qualified(die, name);
  add(variables_, scoped);
  if (const char *linkage = die.getLinkageName(); linkage != nullptr && scoped != linkage)
    add(variables_, linkage);
  if (name != scoped) add(unscoped_variables_, name);
}

DWARFDie DwarfNames::die_at(const std::unordered_map<std::string, Entry> &scoped,
                            const std::unordered_map<std::string, Entry> &unscoped,
                            const std::string &name) const {
  auto found = scoped.find(name);
  if (found == scoped.end()) {
    found = unscoped.find(name);
    if (found == unscoped.end()) return DWARFDie();
  }
  return context_->getDIEForOffset(found->second.offset);
}

DWARFDie DwarfNames::type(const std::string &name) const {
  return die_at(types_, unscoped_types_, name);
}

DWARFDie DwarfNames::variable(const std::string &name) const {
  return die_at(variables_, unscoped_variables_, name);
}

// --- DwarfTypeConverter ---

DwarfTypeConverter::DwarfTypeConverter(FindDefinition definition)
    : definition_(std::move(definition)) {}

Type DwarfTypeConverter::convert(const DWARFDie &type, int depth) {
  if (!type) return Type::none();
  if (depth > kMaxConvertDepth) {
    ++cut_short_;
    return Type::none();
  }
  uint64_t k = key(type);
  if (auto known = converted_.find(k); known != converted_.end()) return known->second;
  int cuts = cut_short_;
  Type converted = convert_uncached(type, depth);
  if (cut_short_ == cuts) converted_.emplace(k, converted);
  return converted;
}

Type DwarfTypeConverter::convert_uncached(const DWARFDie &type, int depth) {
  dw::Tag tag = type.getTag();
  if (tag == dw::DW_TAG_typedef || is_qualifier(tag)) return convert(type_of(type), depth + 1);
  switch (tag) {
    case dw::DW_TAG_base_type:
      return base_type(type);
    case dw::DW_TAG_enumeration_type: {
      // Signed as its underlying type is, when DWARF names one; C's enums are ints otherwise.
      Type under = convert(type_of(type), depth + 1);
      uint64_t size = byte_size(type);
      if (size == 0) return under.is_integer() ? under : Type::none();
      return integer(size, under.is_integer() ? under.is_signed : true);
    }
    case dw::DW_TAG_pointer_type:
    case dw::DW_TAG_reference_type:
    case dw::DW_TAG_rvalue_reference_type:
      return pointer_to(type_of(type), depth);
    case dw::DW_TAG_array_type:
      return array(type, depth);
    case dw::DW_TAG_structure_type:
    case dw::DW_TAG_class_type:
    case dw::DW_TAG_union_type:
      return record(type, depth);
    default:
      return Type::none();  // functions, pointers to members, C++'s nullptr_t
  }
}

Type DwarfTypeConverter::pointer_to(const DWARFDie &pointee, int depth) {
  DWARFDie target = underlying(pointee);
  if (!target) return Type::pointer(Type::integer(8, false));  // void *, const void *
  if (is_record(target.getTag()) && !name_of(target).empty())
    return Type::pointer(Type::of_record(known_by_name(target)));
  return Type::pointer(convert(pointee, depth + 1));
}

Type DwarfTypeConverter::array(const DWARFDie &type, int depth) {
  std::vector<uint32_t> counts;  // outermost first
  for (const DWARFDie &child : type.children()) {
    if (child.getTag() == dw::DW_TAG_subrange_type) counts.push_back(element_count(child));
  }
  if (counts.empty()) counts.push_back(0);
  DWARFDie element = type_of(type);
  Type inner;
  // The innermost dimension of chars is a string, as bpftrace reads it.
  if (is_char(element) && counts.back() != 0) {
    inner = Type::string(counts.back());
    counts.pop_back();
  } else {
    inner = convert(element, depth + 1);
    if (inner.is_none()) return Type::none();
  }
  for (auto count = counts.rbegin(); count != counts.rend(); ++count)
    inner = Type::array(inner, *count);
  return inner;
}

Type DwarfTypeConverter::record(const DWARFDie &type, int depth) {
  if (is_declaration(type)) {
    // Used by value where it is only declared (through a typedef of a type defined in another
    // compile unit): the definition elsewhere, or a record known by name only.
    DWARFDie defined = definition_(script_type_name(type));
    if (defined && is_record(defined.getTag())) return convert(defined, depth + 1);
    return Type::of_record(known_by_name(type));
  }
  auto out = std::make_shared<Record>();
  out->name = script_type_name(type);
  out->is_union = type.getTag() == dw::DW_TAG_union_type;
  out->size = static_cast<uint32_t>(byte_size(type));
  out->align = alignment(type, 0);
  for (const DWARFDie &child : type.children()) {
    if (!is_layout_member(child)) continue;
    if (auto f = field(child, depth)) out->fields.push_back(std::move(*f));
  }
  return Type::of_record(std::move(out));
}

std::optional<RecordField> DwarfTypeConverter::field(const DWARFDie &member, int depth) {
  // A base class is a member without a name, which Record::find searches through as it does
  // anonymous structs; a virtual one, placed at run time, is left out.
  bool base_class = member.getTag() == dw::DW_TAG_inheritance;
  if (base_class && dw::toUnsigned(member.find(dw::DW_AT_virtuality), 0) != 0) return std::nullopt;
  std::optional<uint64_t> location = member_location(member);
  if (!location) return std::nullopt;
  RecordField f;
  f.name = base_class ? "" : name_of(member);
  f.type = convert(type_of(member), depth + 1);
  uint64_t bit_size = dw::toUnsigned(member.find(dw::DW_AT_bit_size), 0);
  if (bit_size == 0) {
    f.offset = static_cast<uint32_t>(*location);
    return f;
  }
  // A bitfield: its lowest bit counted from the record's start. DWARF 4 and later state it
  // (DW_AT_data_bit_offset); DWARF 2 and 3 count from the most significant bit of a storage
  // unit of DW_AT_byte_size bytes at the member's location, as big-endian machines number bits.
  int64_t bit = static_cast<int64_t>(*location) * 8;
  if (auto data_bit_offset = dw::toUnsigned(member.find(dw::DW_AT_data_bit_offset))) {
    bit = static_cast<int64_t>(*data_bit_offset);
  } else if (auto bit_offset = dw::toUnsigned(member.find(dw::DW_AT_bit_offset))) {
    uint64_t storage = byte_size(member);
    if (storage == 0) storage = f.type.byte_size();
    bit += static_cast<int64_t>(storage * 8) - static_cast<int64_t>(*bit_offset) -
           static_cast<int64_t>(bit_size);
  }
  if (bit < 0) return std::nullopt;
  f.offset = static_cast<uint32_t>(bit / 8);
  f.bit_shift = static_cast<uint32_t>(bit % 8);
  f.bit_width = static_cast<uint32_t>(bit_size);
  return f;
}

std::shared_ptr<const Record> DwarfTypeConverter::known_by_name(const DWARFDie &type) {
  uint64_t k = key(type);
  if (auto known = by_name_.find(k); known != by_name_.end()) return known->second;
  auto out = std::make_shared<Record>();
  out->name = script_type_name(type);
  out->is_union = type.getTag() == dw::DW_TAG_union_type;
  out->complete = false;
  if (!is_declaration(type)) {
    out->size = static_cast<uint32_t>(byte_size(type));
    out->align = alignment(type, 0);
  }
  return by_name_.emplace(k, std::move(out)).first->second;
}

}  // namespace ut::runtime
