#include "runtime/binary/function_facts.h"

#include <algorithm>
#include <string>
#include <vector>

namespace ut::runtime {
namespace {

using codegen::ValueFacts;

// pt_regs' names of the x86-64 DWARF registers 0-15.
const char *const kDwarfRegisters[16] = {"ax", "dx", "cx", "bx", "si", "di", "bp", "sp",
                                         "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
constexpr unsigned kFirstXmm = 17, kLastXmm = 32;  // DWARF numbers of xmm0-xmm15

// Go's register ABI on amd64: integer registers in assignment order, and how many floating-point
// registers (X0-X14) it uses.
const char *const kGoIntegerRegisters[9] = {"ax", "bx", "cx", "di", "si", "r8", "r9", "r10", "r11"};
constexpr size_t kGoFloatRegisters = 15;

const char *const kSystemVRegisters[6] = {"di", "si", "dx", "cx", "r8", "r9"};

// How many 8-byte words a value of `kind` has.
size_t words_of(ValueFacts::Kind kind) {
  switch (kind) {
    case ValueFacts::Kind::GoString:
      return 2;
    case ValueFacts::Kind::GoSlice:
      return 3;
    case ValueFacts::Kind::Integer:
    case ValueFacts::Kind::Pointer:
      return 1;
    case ValueFacts::Kind::Struct:
    case ValueFacts::Kind::Record:
    case ValueFacts::Kind::Unreadable:
      break;
  }
  return 0;
}

// The kind of a value of `type`, with no place and no members yet.
ValueFacts value_of(const std::string &name, const DwarfType &type, bool go) {
  ValueFacts v;
  v.name = name;
  v.type_name = type.name;
  switch (type.kind) {
    case DwarfTypeKind::Bool:
    case DwarfTypeKind::Int:
    case DwarfTypeKind::Enum:
      if (type.size >= 1 && type.size <= 8) {
        v.kind = ValueFacts::Kind::Integer;
        v.size = static_cast<uint32_t>(type.size);
        v.is_signed = type.is_signed;
      } else {
        v.unreadable = "utrace reads integers of at most 8 bytes";
      }
      break;
    case DwarfTypeKind::Pointer:
      v.kind = ValueFacts::Kind::Pointer;
      break;
    case DwarfTypeKind::Float:
      v.unreadable = "utrace has no floating-point values";
      break;
    case DwarfTypeKind::Struct:
      if (go && type.name == "string") {
        v.kind = ValueFacts::Kind::GoString;
      } else if (go && type.name.rfind("[]", 0) == 0) {
        v.kind = ValueFacts::Kind::GoSlice;
      } else if (go) {
        v.kind = ValueFacts::Kind::Struct;  // in registers, member by member, or on the stack
      } else {
        v.kind = ValueFacts::Kind::Record;  // System V places it (SystemVAssignment)
      }
      break;
    case DwarfTypeKind::Union:
      if (!go) v.kind = ValueFacts::Kind::Record;
      else v.unreadable = "utrace cannot read a value of this type yet";
      break;
    default:
      v.unreadable = "utrace cannot read a value of this type yet";
      break;
  }
  return v;
}

// value_of() with its utrace type.
ValueFacts typed_value_of(DwarfInfo &dwarf, const std::string &name, const DwarfType &type,
                          bool go) {
  ValueFacts v = value_of(name, type, go);
  v.type = dwarf.utrace_type(type);
  return v;
}

// The members of `v` (a pointer to a struct, or a struct) or the elements of a slice, one level
// deep; their places in registers come with the value's.
void describe_members(DwarfInfo &dwarf, const DwarfType &type, ValueFacts &v, bool go) {
  if (v.kind == ValueFacts::Kind::GoSlice) {
    // Its first member, `array`, points to the elements.
    auto members = dwarf.members(type);
    if (!members || members->empty()) return;
    auto element = dwarf.pointee(members->front().type);
    if (element) v.element.push_back(typed_value_of(dwarf, "", *element, go));
    return;
  }
  if (v.kind != ValueFacts::Kind::Pointer && v.kind != ValueFacts::Kind::Struct) return;
  auto members = dwarf.members(type);
  if (!members) return;
  for (const DwarfMember &m : *members) {
    ValueFacts member = typed_value_of(dwarf, m.name, m.type, go);
    member.offset = static_cast<int64_t>(m.offset);
    v.members.push_back(std::move(member));
  }
}

// Places `v` where DWARF's location says, when it says so in words this kind has; false when
// the location does not serve.
bool place_by_dwarf(ValueFacts &v, const DwarfParameter &p, const DwarfFunction &fn,
                    CallingConvention convention) {
  if (p.location.empty()) return false;
  for (const DwarfPlace &place : p.location) {
    if (place.kind == DwarfPlace::Kind::Register && place.reg >= kFirstXmm &&
        place.reg <= kLastXmm) {
      v.unreadable = "it is passed in register X" + std::to_string(place.reg - kFirstXmm) +
                     ", and probes cannot read floating-point registers";
      v.kind = ValueFacts::Kind::Unreadable;
      return true;
    }
  }
  if (v.kind == ValueFacts::Kind::Unreadable) return true;
  const DwarfPlace &first = p.location.front();
  if (first.kind == DwarfPlace::Kind::FrameOffset) {
    // Only Go's frame base, the CFA, holds at the entry: the caller's stack pointer, 8 bytes
    // above the return address that the stack pointer points to there.
    if (convention == CallingConvention::SystemV || p.location.size() != 1 ||
        fn.frame_base.kind != DwarfFrameBase::Kind::Cfa)
      return false;
    v.offset = 8 + first.offset;
    return true;
  }
  if (p.location.size() != words_of(v.kind)) return false;
  std::vector<std::string> registers;
  for (const DwarfPlace &place : p.location) {
    if (place.kind != DwarfPlace::Kind::Register || place.reg >= 16) return false;
    registers.push_back(kDwarfRegisters[place.reg]);
  }
  v.registers = std::move(registers);
  return true;
}

// Go's register assignment (the ABI's "register assignment" algorithm) over values in order:
// each takes the next registers of its classes, all of them or, when they run out, none (then
// it is on the stack, which utrace does not place). `first_integer` skips registers an
// unnamed leading argument takes (a generic function's dictionary).
class GoAssignment {
 public:
  GoAssignment(DwarfInfo &dwarf, size_t first_integer) : dwarf_(dwarf), integers_(first_integer) {}

  void place(ValueFacts &v, const DwarfType &type) {
    std::vector<std::string> registers;
    if (!assign(type, registers)) {
      unreadable(v, "it is passed on the stack, where utrace does not place Go's values yet");
      return;
    }
    if (v.kind == ValueFacts::Kind::Struct) {
      give_members(v, type, registers);
      return;
    }
    // A float in a register says why it cannot be read better than its type does.
    if (std::string why = floating(registers); !why.empty()) return in_float_register(v, why);
    if (v.kind == ValueFacts::Kind::Unreadable) return;
    if (registers.size() != words_of(v.kind))
      return unreadable(v, "utrace cannot read a value of this type yet");
    v.registers = std::move(registers);
  }

 private:
  // The registers of `type`'s classes in order: pt_regs names, "X<n>" for floating-point ones;
  // false when they do not all fit.
  bool assign(const DwarfType &type, std::vector<std::string> &out) {
    if (!type.register_classes) return false;
    size_t ints = 0, floats = 0;
    for (char c : *type.register_classes) (c == 'i' ? ints : floats) += 1;
    if (integers_ + ints > 9 || floats_ + floats > kGoFloatRegisters) return false;
    for (char c : *type.register_classes)
      out.push_back(c == 'i' ? kGoIntegerRegisters[integers_++] : "X" + std::to_string(floats_++));
    return true;
  }

  static std::string floating(const std::vector<std::string> &registers) {
    for (const std::string &r : registers)
      if (r[0] == 'X')
        return "it is passed in register " + r + ", and probes cannot read floating-point "
               "registers";
    return "";
  }

  static void in_float_register(ValueFacts &v, const std::string &why) {
    v.kind = ValueFacts::Kind::Unreadable;
    v.unreadable = why;
  }

  static void unreadable(ValueFacts &v, const std::string &why) {
    if (v.kind == ValueFacts::Kind::Unreadable) return;
    v.kind = ValueFacts::Kind::Unreadable;
    v.unreadable = why;
  }

  // A struct passed in registers: each member takes as many of them, in order, as its type's
  // classes say.
  void give_members(ValueFacts &v, const DwarfType &type, const std::vector<std::string> &registers) {
    auto members = dwarf_.members(type);
    if (!members || members->size() != v.members.size())
      return unreadable(v, "utrace cannot read a value of this type yet");
    size_t next = 0;
    for (size_t i = 0; i < members->size(); ++i) {
      ValueFacts &m = v.members[i];
      size_t count = (*members)[i].type.register_classes.value_or("").size();
      std::vector<std::string> mine(registers.begin() + next, registers.begin() + next + count);
      next += count;
      if (std::string why = floating(mine); !why.empty()) {
        in_float_register(m, why);
      } else if (m.kind != ValueFacts::Kind::Unreadable && mine.size() != words_of(m.kind)) {
        unreadable(m, "utrace cannot read a value of this type yet");
      } else {
        m.registers = std::move(mine);
      }
    }
  }

  DwarfInfo &dwarf_;
  size_t integers_;
  size_t floats_ = 0;
};

// Marks the eightbytes of a record (at most two) that hold an integer or a pointer, walking
// `t`'s members from byte `at`. Members utrace cannot read (floating point) mark none.
void mark_integer_words(const codegen::Type &t, uint64_t at, bool (&integer)[2]) {
  if (t.is_integer() || t.is_pointer() || t.is_string()) {
    uint64_t end = at + std::max<uint64_t>(t.byte_size(), 1);
    for (uint64_t w = at / 8; w < 2 && w * 8 < end; ++w) integer[w] = true;
  } else if (t.is_array()) {
    for (uint32_t i = 0; i < t.count; ++i)
      mark_integer_words(t.elements[0], at + i * t.elements[0].byte_size(), integer);
  } else if (t.is_record() && t.record) {
    for (const codegen::RecordField &f : t.record->fields)
      mark_integer_words(f.type, at + f.offset, integer);
  }
}

// Whether System V passes a record of 16 bytes or less all in integer registers: each of its
// eightbytes holds an integer or a pointer (an eightbyte of floats only goes in an SSE one).
bool all_integer(const codegen::Type &t) {
  if (!t.is_record() || !t.record || !t.record->complete) return false;
  bool integer[2] = {false, false};
  mark_integer_words(t, 0, integer);
  uint64_t words = (t.byte_size() + 7) / 8;
  for (uint64_t w = 0; w < words && w < 2; ++w)
    if (!integer[w]) return false;
  return true;
}

// System V's integer registers over the parameters in order. After a parameter whose class
// utrace does not work out (a struct of 16 bytes or less with floating-point members), it
// places nothing.
class SystemVAssignment {
 public:
  void place(ValueFacts &v, const DwarfType &type) {
    if (lost_) {
      if (v.unreadable.empty())
        v.unreadable = "it comes after a struct passed by value, whose registers utrace does not work out";
      v.kind = ValueFacts::Kind::Unreadable;
      return;
    }
    bool integer = type.kind == DwarfTypeKind::Int || type.kind == DwarfTypeKind::Bool ||
                   type.kind == DwarfTypeKind::Enum || type.kind == DwarfTypeKind::Pointer;
    if (type.kind == DwarfTypeKind::Float) return;  // an XMM register; unreadable already
    if (!integer) {
      place_record(v, type);
      return;
    }
    if (next_ < 6) {
      if (v.kind != ValueFacts::Kind::Unreadable) v.registers = {kSystemVRegisters[next_]};
      ++next_;
      return;
    }
    v.offset = stack_;  // past the return address, in 8-byte slots
    stack_ += 8;
  }

 private:
  // A struct or union by value: over 16 bytes it is copied to the stack (MEMORY); up to 16
  // bytes of integers it takes one integer register per eightbyte, or the stack when too few
  // are left; with floating-point members its eightbytes' classes are not worked out here.
  void place_record(ValueFacts &v, const DwarfType &type) {
    uint64_t words = (type.size + 7) / 8;
    bool readable = v.kind == ValueFacts::Kind::Record && v.type.is_record();
    if (type.size <= 16 && !(readable && all_integer(v.type))) {
      lost_ = true;
      v.kind = ValueFacts::Kind::Unreadable;
      if (v.unreadable.empty())
        v.unreadable = "it is a struct of floating-point members, passed in SSE registers";
      return;
    }
    if (type.size <= 16 && next_ + words <= 6) {
      for (uint64_t w = 0; w < words; ++w) v.registers.push_back(kSystemVRegisters[next_++]);
      return;
    }
    v.offset = stack_;
    stack_ += static_cast<int64_t>(words * 8);
  }

  size_t next_ = 0;
  int64_t stack_ = 8;
  bool lost_ = false;
};

}  // namespace

codegen::FunctionFacts function_facts(DwarfInfo &dwarf, const DwarfFunction &fn,
                                      CallingConvention convention) {
  bool go = convention != CallingConvention::SystemV;
  codegen::FunctionFacts facts;
  // A generic function's shape instance takes its dictionary first, unnamed in DWARF.
  bool generic = go && fn.name.find("[go.shape.") != std::string::npos;
  GoAssignment go_params(dwarf, generic ? 1 : 0);
  SystemVAssignment c_params;
  for (const DwarfParameter &p : fn.params) {
    ValueFacts v = typed_value_of(dwarf, p.name, p.type, go);
    describe_members(dwarf, p.type, v, go);
    ValueFacts by_convention = v;
    if (convention == CallingConvention::GoRegisters) go_params.place(by_convention, p.type);
    if (convention == CallingConvention::SystemV) c_params.place(by_convention, p.type);
    // A struct's DWARF pieces do not say which member each is: its members are placed by the
    // register assignment.
    bool by_value = v.kind == ValueFacts::Kind::Struct || v.kind == ValueFacts::Kind::Record;
    if (by_value && convention == CallingConvention::GoStack) {
      v.kind = ValueFacts::Kind::Unreadable;
      v.unreadable = "utrace reads structs passed by value in registers only";
    } else if (by_value || !place_by_dwarf(v, p, fn, convention)) {
      v = by_convention;
      if (convention == CallingConvention::GoStack && v.kind != ValueFacts::Kind::Unreadable) {
        v.kind = ValueFacts::Kind::Unreadable;
        v.unreadable = "DWARF gives no place for it at the entry";
      }
    }
    facts.params.push_back(std::move(v));
  }
  GoAssignment go_results(dwarf, 0);
  for (const DwarfParameter &r : fn.results) {
    ValueFacts v = typed_value_of(dwarf, r.name, r.type, go);
    describe_members(dwarf, r.type, v, go);
    if (convention == CallingConvention::GoRegisters) {
      go_results.place(v, r.type);
    } else if (v.kind != ValueFacts::Kind::Unreadable) {
      v.kind = ValueFacts::Kind::Unreadable;
      v.unreadable = "Go's stack ABI returns it on the stack, where utrace does not place it yet";
    }
    facts.results.push_back(std::move(v));
  }
  return facts;
}

}  // namespace ut::runtime
