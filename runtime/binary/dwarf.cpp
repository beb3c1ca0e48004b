// DwarfInfo: LLVM's DWARFContext over an llvm::object::ObjectFile (which decompresses
// SHF_COMPRESSED sections, as Debian's debug files and Go binaries have them), and a
// spelling of DWARF types the way bpftrace -lv prints them. Types as utrace types, and the
// index of types and variables by name, are dwarf_types.cpp's.
//
// LLVM's DWARFDie.h pulls in llvm/Support/JSON.h, which clang cannot compile in C++20 mode
// against libstdc++ 12 (see elf.cpp), so runtime/CMakeLists.txt has clang compile this file as
// C++17; keep it, and what it includes, C++17.
#include "runtime/binary/dwarf.h"

#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <unordered_map>
#include <utility>

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/DebugInfo/DWARF/DWARFAcceleratorTable.h>
#include <llvm/DebugInfo/DWARF/DWARFCompileUnit.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/DebugInfo/DWARF/DWARFDie.h>
#include <llvm/DebugInfo/DWARF/DWARFExpression.h>
#include <llvm/DebugInfo/DWARF/DWARFFormValue.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/DataExtractor.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include "runtime/binary/dwarf_types.h"

namespace ut::runtime {
namespace {

using llvm::DWARFDie;
namespace dw = llvm::dwarf;

std::string hex(uint64_t value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%" PRIx64, value);
  return buf;
}

// `text` without the spaces around it.
std::string trimmed(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

// The DW_TAG_formal_parameter children of `function`, in order; sets `variadic` when it ends
// with "...".
std::vector<DWARFDie> formal_parameters(const DWARFDie &function, bool &variadic) {
  std::vector<DWARFDie> params;
  for (const DWARFDie &child : function.children()) {
    if (child.getTag() == dw::DW_TAG_formal_parameter) params.push_back(child);
    if (child.getTag() == dw::DW_TAG_unspecified_parameters) variadic = true;
  }
  return params;
}

bool is_go(const DWARFDie &die) {
  DWARFDie unit = die.getDwarfUnit()->getUnitDIE();
  return dw::toUnsigned(unit.find(dw::DW_AT_language), 0) == dw::DW_LANG_Go;
}

// A type name and what stands right of it in a C declaration ("*", "* const", "(*)(int)"):
// the star against the type as bpftrace prints it ("char*"), a space before a parenthesized
// declarator as C does ("int (*)(int)").
std::string join(const std::string &base, const std::string &declarator) {
  if (declarator.empty()) return base;
  if (declarator[0] == '(') return base + " " + declarator;
  return base + declarator;
}

// Whether a declarator must be parenthesized before an array or parameter list binds to it:
// "(*)[4]" is a pointer to an array, "*[4]" an array of pointers.
std::string bind_tight(const std::string &declarator) {
  if (!declarator.empty() && (declarator[0] == '*' || declarator[0] == '&')) {
    return "(" + declarator + ")";
  }
  return declarator;
}

// The C spelling of `type` followed by `declarator`; void when `type` is invalid.
std::string spell(const DWARFDie &type, const std::string &declarator, int depth) {
  if (!type) return join("void", declarator);
  if (depth > kMaxTypeDepth) return join("<unknown type>", declarator);
  std::string name = name_of(type);
  // Go names every type, composites included ("[]int", "*main.T", "map[string]int").
  if (!name.empty() && is_go(type)) return join(name, declarator);
  switch (type.getTag()) {
    case dw::DW_TAG_base_type:
    case dw::DW_TAG_unspecified_type:
      return join(name, declarator);
    case dw::DW_TAG_typedef:
      return join(qualified(type, name), declarator);
    case dw::DW_TAG_structure_type:
    case dw::DW_TAG_class_type:
    case dw::DW_TAG_union_type:
    case dw::DW_TAG_enumeration_type: {
      const char *keyword = type.getTag() == dw::DW_TAG_structure_type ? "struct "
                            : type.getTag() == dw::DW_TAG_class_type   ? "class "
                            : type.getTag() == dw::DW_TAG_union_type   ? "union "
                                                                       : "enum ";
      return join(keyword + (name.empty() ? "<anonymous>" : qualified(type, name)), declarator);
    }
    case dw::DW_TAG_pointer_type:
      return spell(type_of(type), "*" + declarator, depth + 1);
    case dw::DW_TAG_reference_type:
      return spell(type_of(type), "&" + declarator, depth + 1);
    case dw::DW_TAG_rvalue_reference_type:
      return spell(type_of(type), "&&" + declarator, depth + 1);
    case dw::DW_TAG_const_type:
    case dw::DW_TAG_volatile_type:
    case dw::DW_TAG_restrict_type:
    case dw::DW_TAG_atomic_type: {
      const char *qualifier = type.getTag() == dw::DW_TAG_const_type      ? "const"
                              : type.getTag() == dw::DW_TAG_volatile_type ? "volatile"
                              : type.getTag() == dw::DW_TAG_restrict_type ? "restrict"
                                                                          : "_Atomic";
      DWARFDie target = type_of(type);
      dw::Tag target_tag = target ? target.getTag() : dw::DW_TAG_null;
      // A qualified pointer is qualified right of its star: "char* const".
      if (target_tag == dw::DW_TAG_pointer_type || target_tag == dw::DW_TAG_reference_type ||
          target_tag == dw::DW_TAG_rvalue_reference_type) {
        return spell(target, std::string(" ") + qualifier + declarator, depth + 1);
      }
      return std::string(qualifier) + " " + spell(target, declarator, depth + 1);
    }
    case dw::DW_TAG_array_type: {
      std::string dims;
      for (const DWARFDie &child : type.children()) {
        if (child.getTag() != dw::DW_TAG_subrange_type) continue;
        if (auto count = dw::toUnsigned(child.find(dw::DW_AT_count))) {
          dims += "[" + std::to_string(*count) + "]";
        } else if (auto upper = dw::toUnsigned(child.find(dw::DW_AT_upper_bound))) {
          uint64_t lower = dw::toUnsigned(child.find(dw::DW_AT_lower_bound), 0);
          dims += "[" + std::to_string(*upper + 1 - lower) + "]";
        } else {
          dims += "[]";
        }
      }
      if (dims.empty()) dims = "[]";
      return spell(type_of(type), bind_tight(declarator) + dims, depth + 1);
    }
    case dw::DW_TAG_subroutine_type: {
      std::string params;
      for (const DWARFDie &child : type.children()) {
        std::string param;
        if (child.getTag() == dw::DW_TAG_formal_parameter) {
          param = spell(type_of(child), "", depth + 1);
        } else if (child.getTag() == dw::DW_TAG_unspecified_parameters) {
          param = "...";
        } else {
          continue;
        }
        params += (params.empty() ? "" : ", ") + param;
      }
      if (params.empty() && flag(type, dw::DW_AT_prototyped)) params = "void";
      return spell(type_of(type), bind_tight(declarator) + "(" + params + ")", depth + 1);
    }
    default:
      return join(name.empty() ? "<unknown type>" : name, declarator);
  }
}

// Kind, size and signedness of `type` behind its typedefs and qualifiers.
void classify(DWARFDie type, DwarfType &out) {
  type = underlying(type);
  if (!type) {
    out.kind = DwarfTypeKind::Void;
    return;
  }
  out.size = dw::toUnsigned(type.find(dw::DW_AT_byte_size), 0);
  switch (type.getTag()) {
    case dw::DW_TAG_base_type:
      switch (dw::toUnsigned(type.find(dw::DW_AT_encoding), 0)) {
        case dw::DW_ATE_boolean:
          out.kind = DwarfTypeKind::Bool;
          break;
        case dw::DW_ATE_signed:
        case dw::DW_ATE_signed_char:
          out.kind = DwarfTypeKind::Int;
          out.is_signed = true;
          break;
        case dw::DW_ATE_unsigned:
        case dw::DW_ATE_unsigned_char:
        case dw::DW_ATE_UTF:
          out.kind = DwarfTypeKind::Int;
          break;
        case dw::DW_ATE_float:
          out.kind = DwarfTypeKind::Float;
          break;
        default:
          break;
      }
      break;
    case dw::DW_TAG_pointer_type:
    case dw::DW_TAG_reference_type:
    case dw::DW_TAG_rvalue_reference_type:
      out.kind = DwarfTypeKind::Pointer;
      if (out.size == 0) out.size = type.getDwarfUnit()->getAddressByteSize();
      break;
    case dw::DW_TAG_structure_type:
    case dw::DW_TAG_class_type:
      out.kind = DwarfTypeKind::Struct;
      break;
    case dw::DW_TAG_union_type:
      out.kind = DwarfTypeKind::Union;
      break;
    case dw::DW_TAG_enumeration_type: {
      out.kind = DwarfTypeKind::Enum;
      DwarfType underlying;
      classify(type_of(type), underlying);
      out.is_signed = underlying.is_signed;
      break;
    }
    case dw::DW_TAG_array_type:
      out.kind = DwarfTypeKind::Array;
      if (out.size == 0) {
        DwarfType element;
        classify(type_of(type), element);
        uint64_t count = 1;
        for (const DWARFDie &child : type.children()) {
          if (child.getTag() != dw::DW_TAG_subrange_type) continue;
          if (auto n = dw::toUnsigned(child.find(dw::DW_AT_count))) {
            count *= *n;
          } else if (auto upper = dw::toUnsigned(child.find(dw::DW_AT_upper_bound))) {
            count *= *upper + 1 - dw::toUnsigned(child.find(dw::DW_AT_lower_bound), 0);
          } else {
            count = 0;
          }
        }
        out.size = element.size * count;
      }
      break;
    case dw::DW_TAG_subroutine_type:
      out.kind = DwarfTypeKind::Function;
      break;
    default:
      break;
  }
}

// The registers Go's register ABI gives a value of `type` (DwarfType::register_classes),
// appended to `out`; false when it goes on the stack. Go's strings, slices and interfaces are
// structs in its DWARF, so the struct rule covers them.
bool append_register_classes(DWARFDie type, std::string &out, int depth) {
  type = underlying(type);
  if (!type || depth > kMaxTypeDepth) return false;
  switch (type.getTag()) {
    case dw::DW_TAG_base_type: {
      uint64_t encoding = dw::toUnsigned(type.find(dw::DW_AT_encoding), 0);
      uint64_t size = dw::toUnsigned(type.find(dw::DW_AT_byte_size), 0);
      if (encoding == dw::DW_ATE_float) {
        out += 'f';
      } else if (encoding == dw::DW_ATE_complex_float) {
        out += "ff";
      } else {
        out += std::string(size > 8 ? 2 : 1, 'i');
      }
      return true;
    }
    case dw::DW_TAG_pointer_type:
    case dw::DW_TAG_subroutine_type:
      out += 'i';
      return true;
    case dw::DW_TAG_structure_type:
      for (const DWARFDie &child : type.children()) {
        if (child.getTag() != dw::DW_TAG_member) continue;
        if (!append_register_classes(type_of(child), out, depth + 1)) return false;
      }
      return true;
    case dw::DW_TAG_array_type: {
      DwarfType whole;
      classify(type, whole);
      DwarfType element;
      classify(type_of(type), element);
      if (whole.size == 0) return true;  // [0]T takes no register
      if (element.size != whole.size) return false;
      return append_register_classes(type_of(type), out, depth + 1);
    }
    default:
      return false;
  }
}

DwarfType describe_type(const DWARFDie &type) {
  DwarfType out;
  out.name = spell(type, "", 0);
  out.die_offset = type ? type.getOffset() : 0;
  classify(type, out);
  std::string classes;
  if (type && append_register_classes(type, classes, 0)) out.register_classes = classes;
  return out;
}

// The places a location expression names, when it names nothing but registers and frame-base
// offsets, each optionally a piece; empty for anything else.
std::vector<DwarfPlace> decode_places(llvm::ArrayRef<uint8_t> bytes, const llvm::DWARFUnit &unit) {
  llvm::DataExtractor data(llvm::toStringRef(bytes), unit.getContext().isLittleEndian(),
                           unit.getAddressByteSize());
  llvm::DWARFExpression expression(data, unit.getAddressByteSize(), unit.getFormat());
  std::vector<DwarfPlace> places;
  bool open = false;  // the last place still awaits its DW_OP_piece, if any
  for (const llvm::DWARFExpression::Operation &op : expression) {
    if (op.isError()) return {};
    uint8_t code = op.getCode();
    if (code >= dw::DW_OP_reg0 && code <= dw::DW_OP_reg31) {
      if (open) return {};
      places.push_back({DwarfPlace::Kind::Register, unsigned(code - dw::DW_OP_reg0), 0, 0});
      open = true;
    } else if (code == dw::DW_OP_regx) {
      if (open) return {};
      places.push_back({DwarfPlace::Kind::Register, unsigned(op.getRawOperand(0)), 0, 0});
      open = true;
    } else if (code == dw::DW_OP_fbreg) {
      if (open) return {};
      places.push_back(
          {DwarfPlace::Kind::FrameOffset, 0, static_cast<int64_t>(op.getRawOperand(0)), 0});
      open = true;
    } else if (code == dw::DW_OP_piece) {
      if (!open) return {};  // a piece that is nowhere (optimized out)
      places.back().size = op.getRawOperand(0);
      open = false;
    } else {
      return {};
    }
  }
  return places;
}

// Where `param` is at `pc`: its location expression, or the location-list entry covering `pc`
// (a default entry when none does).
std::vector<DwarfPlace> location_at(const DWARFDie &param, uint64_t pc) {
  if (!param || !param.find(dw::DW_AT_location)) return {};
  auto locations = param.getLocations(dw::DW_AT_location);
  if (!locations) {
    llvm::consumeError(locations.takeError());
    return {};
  }
  const llvm::DWARFLocationExpression *chosen = nullptr;
  for (const llvm::DWARFLocationExpression &entry : *locations) {
    if (!entry.Range) {
      if (chosen == nullptr) chosen = &entry;
    } else if (entry.Range->LowPC <= pc && pc < entry.Range->HighPC) {
      chosen = &entry;
      break;
    }
  }
  if (chosen == nullptr) return {};
  return decode_places(chosen->Expr, *param.getDwarfUnit());
}

DwarfFrameBase frame_base_of(const DWARFDie &function) {
  DwarfFrameBase base;
  auto value = function.find(dw::DW_AT_frame_base);
  if (!value) return base;
  if (auto block = value->getAsBlock()) {
    const llvm::DWARFUnit &unit = *function.getDwarfUnit();
    if (block->size() == 1 && (*block)[0] == dw::DW_OP_call_frame_cfa) {
      base.kind = DwarfFrameBase::Kind::Cfa;
      return base;
    }
    std::vector<DwarfPlace> places = decode_places(*block, unit);
    if (places.size() == 1 && places[0].kind == DwarfPlace::Kind::Register) {
      base.kind = DwarfFrameBase::Kind::Register;
      base.reg = places[0].reg;
    }
  }
  return base;  // a frame base in a location list is not decoded
}

bool has_code(const DWARFDie &die) {
  return die.find(dw::DW_AT_low_pc) || die.find(dw::DW_AT_ranges);
}

// Whether one of the address ranges of subprogram `die` starts at `address`.
bool starts_at(const DWARFDie &die, uint64_t address) {
  auto ranges = die.getAddressRanges();
  if (!ranges) {
    llvm::consumeError(ranges.takeError());
    return false;
  }
  for (const llvm::DWARFAddressRange &range : *ranges) {
    if (range.LowPC == address) return true;
  }
  return false;
}

std::optional<uint64_t> entry_of(const DWARFDie &die) {
  if (auto entry = dw::toAddress(die.find(dw::DW_AT_entry_pc))) return *entry;
  auto ranges = die.getAddressRanges();
  if (!ranges) {
    llvm::consumeError(ranges.takeError());
    return std::nullopt;
  }
  if (ranges->empty()) return std::nullopt;
  return ranges->front().LowPC;
}

// The function that concrete subprogram `die` is, entered at `entry`.
DwarfFunction describe_function(const DWARFDie &die, uint64_t entry) {
  DwarfFunction fn;
  fn.name = dw::toString(die.findRecursively(dw::DW_AT_name), "");
  if (const char *linkage = die.getLinkageName()) fn.linkage_name = linkage;
  fn.address = entry;
  fn.frame_base = frame_base_of(die);

  // The parameters the code takes are the concrete DIE's: an out-of-line instance of an inlined
  // function or a C++ constructor's or destructor's clone (DW_AT_abstract_origin) lists those it
  // takes, named and typed through the abstract instance, which may have more (GCC's
  // __in_chrg). One that lists none is described by its abstract instance's.
  std::vector<DWARFDie> params = formal_parameters(die, fn.variadic);
  if (params.empty()) {
    if (DWARFDie abstract = die.getAttributeValueAsReferencedDie(dw::DW_AT_abstract_origin)) {
      params = formal_parameters(abstract, fn.variadic);
    }
  }
  for (const DWARFDie &p : params) {
    DwarfParameter param;
    param.name = dw::toString(p.findRecursively(dw::DW_AT_name), "");
    param.type = describe_type(type_of(p));
    param.artificial = flag(p, dw::DW_AT_artificial);
    // Go marks its results as variable parameters.
    if (flag(p, dw::DW_AT_variable_parameter)) {
      fn.results.push_back(std::move(param));
      continue;
    }
    param.location = location_at(p, entry);
    fn.params.push_back(std::move(param));
  }
  return fn;
}

// The names a probe may give a function, read from its concrete subprogram DIE.
struct FunctionNames {
  std::string name;       // DW_AT_name: "poke"
  std::string linkage;    // DW_AT_linkage_name: "_ZN3geo6Widget4pokeEi"; "" in C and Go
  std::string demangled;  // the linkage name demangled: "geo::Widget::poke(int)"; "" without one
  std::string scoped;     // DW_AT_name in its namespaces and classes: "geo::Widget::poke"
};

FunctionNames function_names(const DWARFDie &die) {
  FunctionNames names;
  if (const char *name = die.getShortName()) names.name = name;
  if (const char *linkage = die.getLinkageName()) names.linkage = linkage;
  if (names.linkage.rfind("_Z", 0) == 0) names.demangled = demangle(names.linkage);
  if (!names.name.empty()) names.scoped = qualified(die, names.name);
  return names;
}

// How well name `name` names a function: exactly (its linkage name or its demangled name with
// parameters), by its scoped name (or its demangled name without parameters, as probes take
// it), by DW_AT_name alone, or not at all.
enum class NameMatch { None, Name, Scoped, Exact };

NameMatch match(const FunctionNames &f, std::string_view name) {
  if (name == f.linkage || (!f.demangled.empty() && name == f.demangled)) return NameMatch::Exact;
  if (name == f.scoped || (!f.demangled.empty() && name == without_parameters(f.demangled)))
    return NameMatch::Scoped;
  if (name == f.name) return NameMatch::Name;
  return NameMatch::None;
}

// The function `name` names among `candidates` (subprograms with code, in .debug_info order),
// the best match first (match()); of equal ones the first, the same function emitted in several
// compile units or C's static functions of different files, except that a scoped name without
// parameters may not stand for C++ overloads. An invalid DIE when none matches.
Result<DWARFDie> choose_function(std::string_view name, const std::vector<DWARFDie> &candidates) {
  NameMatch best = NameMatch::None;
  std::vector<std::pair<DWARFDie, FunctionNames>> chosen;
  for (const DWARFDie &die : candidates) {
    FunctionNames names = function_names(die);
    NameMatch m = match(names, name);
    if (m == NameMatch::None || m < best) continue;
    if (m > best) chosen.clear();
    best = m;
    chosen.emplace_back(die, std::move(names));
  }
  if (chosen.empty()) return DWARFDie();
  if (best == NameMatch::Scoped) {
    // Overloads differ in their parameters; a constructor's or destructor's clones (C1 and C2)
    // do not. The example is the overload declared first in the source (gcc emits functions in
    // reverse order).
    auto declared_at = [](const DWARFDie &die) {
      DWARFDie declaration = declaration_of(die);
      return std::make_pair(dw::toUnsigned(declaration.find(dw::DW_AT_decl_line), UINT64_MAX),
                            declaration.getOffset());
    };
    const std::pair<DWARFDie, FunctionNames> *first_declared = nullptr;
    bool overloaded = false;
    for (const auto &candidate : chosen) {
      const std::string &demangled = candidate.second.demangled;
      if (demangled.empty()) continue;
      if (first_declared == nullptr) {
        first_declared = &candidate;
        continue;
      }
      overloaded |= demangled != first_declared->second.demangled;
      if (declared_at(candidate.first) < declared_at(first_declared->first))
        first_declared = &candidate;
    }
    if (overloaded)
      return Error(std::string(name) + " is overloaded: name one, as in " +
                   first_declared->second.demangled);
  }
  return chosen.front().first;
}

// The family of DW_AT_language code `code`, as DwarfUnit::language names it.
std::string language_name(uint64_t code) {
  switch (code) {
    case dw::DW_LANG_C:
    case dw::DW_LANG_C89:
    case dw::DW_LANG_C99:
    case dw::DW_LANG_C11:
      return "C";
    case dw::DW_LANG_C_plus_plus:
    case dw::DW_LANG_C_plus_plus_03:
    case dw::DW_LANG_C_plus_plus_11:
    case dw::DW_LANG_C_plus_plus_14:
      return "C++";
    case dw::DW_LANG_Go:
      return "Go";
    case dw::DW_LANG_Rust:
      return "Rust";
    case dw::DW_LANG_Mips_Assembler:
      return "assembly";
    default:
      return "";
  }
}

bool is_aggregate(dw::Tag tag) {
  return tag == dw::DW_TAG_structure_type || tag == dw::DW_TAG_class_type ||
         tag == dw::DW_TAG_union_type;
}

void ignore_error(llvm::Error err) {
  llvm::consumeError(std::move(err));
}

}  // namespace

struct DwarfInfo::State {
  std::string path;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  std::unique_ptr<llvm::object::ObjectFile> object;
  std::unique_ptr<llvm::DWARFContext> context;
  bool has_dwarf = false;
  std::unordered_map<uint64_t, DwarfFunction> by_address;  // described functions, by entry
  bool names_indexed = false;
  // Every function with code by each of its FunctionNames (the demangled one also without its
  // parameters): the offsets of the DIEs of that name, in .debug_info order.
  std::unordered_map<std::string, std::vector<uint64_t>> names;
  // Types and global variables by name, indexed on first use (index()).
  std::optional<DwarfNames> names_index;
  // Types converted to utrace's; a type only declared where it is used is looked up by name.
  DwarfTypeConverter converter{[this](const std::string &name) { return index().type(name); }};

  // The subprogram DIEs with code that .debug_names, if the file has it, lists under `name`
  // (DW_AT_name or DW_AT_linkage_name).
  std::vector<DWARFDie> lookup_accelerated(std::string_view name) {
    std::vector<DWARFDie> found;
    const llvm::DWARFDebugNames &index = context->getDebugNames();
    for (const llvm::DWARFDebugNames::Entry &entry : index.equal_range(llvm::StringRef(name))) {
      if (entry.tag() != dw::DW_TAG_subprogram) continue;
      auto cu = entry.getCUOffset();
      auto die_offset = entry.getDIEUnitOffset();
      if (!cu || !die_offset) continue;
      DWARFDie die = context->getDIEForOffset(*cu + *die_offset);
      if (die && has_code(die)) found.push_back(die);
    }
    return found;
  }

  // The subprogram DIEs with code that any of the names of FunctionNames calls `name`.
  std::vector<DWARFDie> lookup_indexed(std::string_view name) {
    if (!names_indexed) index_names();
    std::vector<DWARFDie> found;
    auto named = names.find(std::string(name));
    if (named == names.end()) return found;
    for (uint64_t offset : named->second) found.push_back(context->getDIEForOffset(offset));
    return found;
  }

  void index_names() {
    names_indexed = true;
    for (const auto &unit : context->compile_units()) {
      for (const llvm::DWARFDebugInfoEntry &entry : unit->dies()) {
        DWARFDie die(unit.get(), &entry);
        if (die.getTag() != dw::DW_TAG_subprogram || !has_code(die)) continue;
        FunctionNames f = function_names(die);
        std::string without = without_parameters(f.demangled);
        for (const std::string *name : {&f.name, &f.linkage, &f.demangled, &f.scoped, &without}) {
          if (name->empty()) continue;
          std::vector<uint64_t> &offsets = names[*name];
          if (offsets.empty() || offsets.back() != die.getOffset())
            offsets.push_back(die.getOffset());
        }
      }
    }
  }

  const DwarfNames &index() {
    if (!names_index) names_index.emplace(*context);
    return *names_index;
  }
};

DwarfInfo::DwarfInfo(std::unique_ptr<State> state) : state_(std::move(state)) {}
DwarfInfo::DwarfInfo(DwarfInfo &&) noexcept = default;
DwarfInfo &DwarfInfo::operator=(DwarfInfo &&) noexcept = default;
DwarfInfo::~DwarfInfo() = default;

Result<DwarfInfo> DwarfInfo::open_file(const std::string &path) {
  auto state = std::make_unique<State>();
  state->path = path;
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) return Error(buffer.getError().message());
  state->buffer = std::move(*buffer);
  auto object = llvm::object::ObjectFile::createObjectFile(state->buffer->getMemBufferRef());
  if (!object) return Error(llvm::toString(object.takeError()));
  state->object = std::move(*object);
  state->context = llvm::DWARFContext::create(*state->object,
                                              llvm::DWARFContext::ProcessDebugRelocations::Process,
                                              nullptr, "", ignore_error, ignore_error);
  state->has_dwarf = state->context->getNumCompileUnits() > 0;
  return DwarfInfo(std::move(state));
}

Result<DwarfInfo> DwarfInfo::open(const ElfFile &elf, const std::string &real_path,
                                  std::string_view debug_root) {
  auto own = open_file(elf.path());
  if (!own || own->has_dwarf()) return own;
  auto debug = open_debug_file(elf, real_path, debug_root);
  if (!debug) return own;
  auto separate = open_file(debug->path());
  if (!separate) return std::move(separate).error().context(debug->path());
  return separate;
}

bool DwarfInfo::has_dwarf() const {
  return state_->has_dwarf;
}

const std::string &DwarfInfo::path() const {
  return state_->path;
}

Result<DwarfFunction> DwarfInfo::function_at(uint64_t address) {
  if (auto cached = state_->by_address.find(address); cached != state_->by_address.end()) {
    return cached->second;
  }
  auto missing = [&] { return Error("no DWARF for a function at " + hex(address)); };
  if (!state_->has_dwarf) return missing();
  llvm::DWARFCompileUnit *unit = state_->context->getCompileUnitForAddress(address);
  if (unit == nullptr) return missing();
  // The innermost subroutine there may be one inlined at the entry; its function encloses it.
  DWARFDie die = unit->getSubroutineForAddress(address);
  while (die && die.getTag() != dw::DW_TAG_subprogram) die = die.getParent();
  if (!die || !starts_at(die, address)) return missing();
  return state_->by_address.emplace(address, describe_function(die, address)).first->second;
}

Result<DwarfFunction> DwarfInfo::function(std::string_view name) {
  auto missing = [&] { return Error("no DWARF for function '" + std::string(name) + "'"); };
  if (!state_->has_dwarf) return missing();
  // .debug_names has no scoped or demangled names: those are looked up in the index.
  std::vector<DWARFDie> candidates = state_->lookup_accelerated(name);
  if (candidates.empty()) candidates = state_->lookup_indexed(name);
  auto chosen = choose_function(name, candidates);
  if (!chosen) return std::move(chosen).error();
  DWARFDie die = *chosen;
  if (!die) return missing();
  auto entry = entry_of(die);
  if (!entry) return missing();
  if (auto cached = state_->by_address.find(*entry); cached != state_->by_address.end()) {
    return cached->second;
  }
  return state_->by_address.emplace(*entry, describe_function(die, *entry)).first->second;
}

std::vector<DwarfUnit> DwarfInfo::units() {
  std::vector<DwarfUnit> units;
  if (!state_->has_dwarf) return units;
  for (const auto &unit : state_->context->compile_units()) {
    DWARFDie die = unit->getUnitDIE(/*ExtractUnitDIEOnly=*/true);
    if (!die) continue;
    units.push_back({name_of(die), dw::toString(die.find(dw::DW_AT_producer), ""),
                     language_name(dw::toUnsigned(die.find(dw::DW_AT_language), 0))});
  }
  return units;
}

Result<uint64_t> DwarfInfo::member_offset(std::string_view type, std::string_view member) {
  if (!state_->has_dwarf) return Error("no DWARF for type '" + std::string(type) + "'");
  DWARFDie die = state_->index().type("struct " + std::string(type));
  if (!die) die = state_->index().type("union " + std::string(type));
  if (!die) return Error("no DWARF for type '" + std::string(type) + "'");
  for (const DWARFDie &child : die.children()) {
    if (child.getTag() != dw::DW_TAG_member || name_of(child) != member) continue;
    // Only a constant: DWARF 2's location expressions are not decoded. Union members may
    // leave their offset, 0, out.
    auto location = child.find(dw::DW_AT_data_member_location);
    if (!location && die.getTag() == dw::DW_TAG_union_type) return uint64_t{0};
    if (auto offset = dw::toUnsigned(location)) return *offset;
    return Error("member '" + std::string(member) + "' of type '" + std::string(type) +
                 "' has no constant offset");
  }
  return Error("type '" + std::string(type) + "' has no member '" + std::string(member) + "'");
}

Result<std::vector<DwarfMember>> DwarfInfo::members(const DwarfType &type) {
  auto not_struct = [&] { return Error(type.name + " is not a struct or a pointer to one"); };
  if (!state_->has_dwarf || type.die_offset == 0) return not_struct();
  DWARFDie die = underlying(state_->context->getDIEForOffset(type.die_offset));
  if (die && die.getTag() == dw::DW_TAG_pointer_type) die = underlying(type_of(die));
  if (!die || !is_aggregate(die.getTag())) return not_struct();
  std::vector<DwarfMember> members;
  for (const DWARFDie &child : die.children()) {
    if (child.getTag() != dw::DW_TAG_member) continue;
    DwarfMember member;
    member.name = name_of(child);
    member.offset = dw::toUnsigned(child.find(dw::DW_AT_data_member_location), 0);
    member.type = describe_type(type_of(child));
    members.push_back(std::move(member));
  }
  return members;
}

Result<DwarfType> DwarfInfo::pointee(const DwarfType &pointer) {
  DWARFDie die = state_->has_dwarf && pointer.die_offset != 0
                     ? underlying(state_->context->getDIEForOffset(pointer.die_offset))
                     : DWARFDie();
  if (!die || die.getTag() != dw::DW_TAG_pointer_type)
    return Error(pointer.name + " is not a pointer");
  return describe_type(type_of(die));
}

codegen::Type DwarfInfo::utrace_type(const DwarfType &type) {
  if (!state_->has_dwarf || type.die_offset == 0) return codegen::Type::none();
  return state_->converter.convert(state_->context->getDIEForOffset(type.die_offset));
}

std::optional<codegen::Type> DwarfInfo::named_type(std::string_view name) {
  if (!state_->has_dwarf) return std::nullopt;
  // "struct  X " as "struct X"; C++'s "class X" as the struct it is.
  std::string text = trimmed(name);
  for (const char *keyword : {"struct", "class", "union", "enum"}) {
    std::string_view k(keyword);
    if (text.size() > k.size() && text.compare(0, k.size(), k) == 0 &&
        std::isspace(static_cast<unsigned char>(text[k.size()]))) {
      std::string rest = trimmed(std::string_view(text).substr(k.size()));
      text = (k == "class" ? std::string("struct") : std::string(k)) + " " + rest;
      break;
    }
  }
  DWARFDie die = state_->index().type(text);
  if (!die) return std::nullopt;
  return state_->converter.convert(die);
}

std::optional<codegen::Type> DwarfInfo::variable_type(std::string_view name) {
  if (!state_->has_dwarf) return std::nullopt;
  DWARFDie die = state_->index().variable(std::string(name));
  if (!die) return std::nullopt;
  return state_->converter.convert(type_of(die));
}

}  // namespace ut::runtime
