// Functions' parameters and their types from an ELF file's DWARF debug info, for
// `utrace -lv 'uprobe:BINARY:FUNCTION'` and args.NAME, and the program's types and globals as
// utrace types, for casts, `->` and `*uaddr()`. LLVM stays behind this header, as in elf.h:
// callers need neither its headers nor its compile flags.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codegen/types.h"
#include "runtime/binary/elf.h"
#include "support/result.h"

namespace ut::runtime {

// What a type is once typedefs and cv-qualifiers are looked through.
enum class DwarfTypeKind {
  Unknown,
  Void,
  Bool,
  Int,
  Float,
  Pointer,
  Struct,
  Union,
  Enum,
  Array,
  Function
};

// A parameter's type. `name` is the type as bpftrace -lv spells it: C's spelling with the star
// against the type ("int", "const char*", "struct point*", "char* const", "int (*)(int, int)",
// "int[4]"), typedef names kept ("size_t"), C++ names with their scopes ("struct geo::Widget*"),
// Go types by their DWARF names ("string", "[]int", "*main.T"). `kind`, `size` and `is_signed`
// describe the type behind typedefs and qualifiers: size_t is an unsigned 8-byte Int.
struct DwarfType {
  std::string name;
  DwarfTypeKind kind = DwarfTypeKind::Unknown;
  uint64_t size = 0;       // bytes; 0 when DWARF gives none (void, functions, incomplete structs)
  bool is_signed = false;  // Int and Enum only
  // Where the type's DIE is in .debug_info (0 for void): the handle for asking about its
  // members and element types later.
  uint64_t die_offset = 0;
  // How Go's register ABI passes a value of this type: the classes of the registers it takes,
  // in order, 'i' an integer register and 'f' a floating-point one ("ii" for a string, "iii" a
  // slice, "" a struct{}); nullopt when it can only go on the stack (an array of two or more
  // elements) or the type is not understood.
  std::optional<std::string> register_classes;
};

// A member of a struct, class or union.
struct DwarfMember {
  std::string name;
  uint64_t offset = 0;  // bytes from the start of the struct
  DwarfType type;
};

// One place where a parameter's value, or a piece of it, is at the function's entry address.
struct DwarfPlace {
  enum class Kind { Register, FrameOffset };
  Kind kind = Kind::Register;
  // Register: the DWARF register number; on x86-64 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi,
  // 6 rbp, 7 rsp, 8-15 r8-r15, 17-32 xmm0-xmm15.
  unsigned reg = 0;
  int64_t offset = 0;  // FrameOffset: from the function's frame base (DwarfFunction::frame_base)
  uint64_t size = 0;   // the bytes of the value held here (DW_OP_piece); 0 for all of it
};

// How a function's DW_OP_fbreg offsets are based: its DW_AT_frame_base.
struct DwarfFrameBase {
  enum class Kind { Unknown, Cfa, Register };  // Cfa: DW_OP_call_frame_cfa (gcc, Go)
  Kind kind = Kind::Unknown;
  unsigned reg = 0;  // Register: DWARF register number (clang: 6 rbp, or 7 rsp when optimizing)
};

// One formal parameter, in declaration order.
struct DwarfParameter {
  std::string name;  // "" for an unnamed parameter
  DwarfType type;
  bool artificial = false;  // made up by the compiler: C++'s `this`
  // Where the value is at the function's entry address, as DW_AT_location says there (its
  // expression, or the location-list entry that covers the entry address): one place, or one
  // per piece. Empty when DWARF gives no location there, or gives one beyond registers,
  // frame-base offsets and pieces of those. Unoptimized code (-O0) states stack slots that
  // the prologue has not filled yet at the entry address.
  std::vector<DwarfPlace> location;
};

// A function as its concrete (out-of-line) DW_TAG_subprogram describes it, with the names and
// types its declaration or abstract instance (DW_AT_specification, DW_AT_abstract_origin) adds.
struct DwarfFunction {
  std::string name;          // DW_AT_name: "add", "poke", "main.doWork"
  std::string linkage_name;  // DW_AT_linkage_name: "_ZN3geo6Widget4pokeEi"; "" in C and Go
  uint64_t address = 0;      // the entry address (a virtual address, as in the ELF file)
  std::vector<DwarfParameter> params;  // Go's results (DW_AT_variable_parameter) left out
  // Go's results, in order, by their names ("~r0" when unnamed); locations stay empty (Go
  // states none that hold at a return).
  std::vector<DwarfParameter> results;
  bool variadic = false;               // C's "...": ends with DW_TAG_unspecified_parameters
  DwarfFrameBase frame_base;
};

// One compile unit, as its unit DIE describes it.
struct DwarfUnit {
  std::string name;      // DW_AT_name: "funcs.c"; Go: the package, "runtime"
  std::string producer;  // DW_AT_producer: "GNU C17 12.2.0 -g", "Go cmd/compile go1.19.8; regabi"
  std::string language;  // DW_AT_language: "C", "C++", "Go", "Rust", "assembly"; "" for others
};

// The DWARF of one ELF file, read lazily: opening reads only the unit headers; a lookup by
// address parses just the compile unit that holds the address (found through .debug_aranges
// where the file has it); a lookup by name asks .debug_names when the file has one, else
// indexes every compile unit's functions once. Compile units, once parsed, and functions, once
// described, stay cached for the life of the object. Movable, not copyable; not thread-safe.
class DwarfInfo {
 public:
  // The DWARF of `elf`: its own .debug_info, or else that of its separate debug file
  // (open_debug_file(); `real_path` and `debug_root` are passed to it). A file with neither is
  // not an error: the result has no DWARF (has_dwarf() false) and every lookup fails.
  static Result<DwarfInfo> open(const ElfFile &elf, const std::string &real_path,
                                std::string_view debug_root = kDebugRoot);
  // The DWARF of exactly the ELF file `path`, without looking for a debug file.
  static Result<DwarfInfo> open_file(const std::string &path);

  DwarfInfo(DwarfInfo &&) noexcept;
  DwarfInfo &operator=(DwarfInfo &&) noexcept;
  ~DwarfInfo();

  bool has_dwarf() const;
  // The file the DWARF is read from: the ELF file itself or its debug file.
  const std::string &path() const;

  // The function whose entry is virtual address `address` (an ELF function symbol's address).
  // Error when no compile unit describes a function starting there (assembly, a .cold part):
  // "no DWARF for a function at 0xADDR".
  Result<DwarfFunction> function_at(uint64_t address);

  // The function that has code (not a declaration or an inlined-only function) named `name`
  // as probes name functions: by DW_AT_linkage_name ("_ZN3geo6Widget4pokeEi") or that name
  // demangled ("geo::Widget::poke(int)"); by its name in its namespaces and classes
  // ("geo::touch"; "main.doWork", "add" in Go and C), which is also the demangled name without
  // parameters; or by DW_AT_name alone ("poke"), in that order of preference. The first one found
  // when several match alike (static functions of different files). Prefer function_at() with a
  // symbol's address: it parses only one compile unit where this may parse all. Errors: "no
  // DWARF for function 'NAME'"; for a scoped name without parameters that C++ overloads,
  // "geo::Widget::poke is overloaded: name one, as in geo::Widget::poke(int)" (the one declared
  // first).
  Result<DwarfFunction> function(std::string_view name);

  // Every compile unit, in .debug_info order. Reads only each unit's first DIE.
  std::vector<DwarfUnit> units();

  // The offset in bytes of member `member` of the struct, class or union type named `type`
  // (DW_AT_name, C++'s with or without scopes; Go's are qualified: "runtime.g"), from
  // DW_AT_data_member_location: the first complete type of that name in .debug_info order.
  // Indexes every compile unit's types and variables on first use. Errors: "no DWARF for type
  // 'T'", "type 'T' has no member 'M'".
  Result<uint64_t> member_offset(std::string_view type, std::string_view member);

  // The members of the struct `type` is, or points to (through typedefs and qualifiers), in
  // order. Error when it is neither: "TYPE is not a struct or a pointer to one".
  Result<std::vector<DwarfMember>> members(const DwarfType &type);

  // The type `pointer` points to (through typedefs and qualifiers). Error when it is not a
  // pointer: "TYPE is not a pointer".
  Result<DwarfType> pointee(const DwarfType &pointer);

  // `type` as utrace types it (codegen/types.h): integers (bools and enums too), pointers
  // (void * to uint8), arrays (of chars: strings), structs and unions as complete records laid
  // out as DWARF says; a pointer to a named struct or union points to a record known by name
  // only. None for what utrace cannot hold: floats, functions, void.
  codegen::Type utrace_type(const DwarfType &type);

  // The type a script names: "struct Line", "union num", "enum color", "struct geo::Widget"
  // (a C++ class or struct, also as "struct Widget"), "struct main.Point" (Go), or a typedef's
  // or base type's name ("point_t", "geo::meters", "int"). A struct or union by its keyword is
  // always complete: declarations do not count. nullopt when the file defines no such type.
  // Indexes every compile unit's types and variables on first use.
  std::optional<codegen::Type> named_type(std::string_view name);

  // The type of the variable `name` at file scope or in a namespace: a C global, C++'s
  // "ns::var" or its linkage name, Go's "main.counter". nullopt when DWARF has no such
  // variable.
  std::optional<codegen::Type> variable_type(std::string_view name);

 private:
  struct State;
  explicit DwarfInfo(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace ut::runtime
