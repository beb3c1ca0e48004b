// Inside runtime/binary/: the traced program's types as utrace types (codegen/types.h), read
// from DWARF type DIEs, and the index that finds types and global variables by name. DwarfInfo
// (dwarf.h) answers with them; dwarf.cpp also shares the DIE helpers declared here.
//
// This header includes LLVM's DWARF headers, so what includes it is compiled as C++17 (see
// dwarf.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/DebugInfo/DWARF/DWARFDie.h>

#include "codegen/types.h"

namespace ut::runtime {

// Past this many steps (typedefs, qualifiers, pointers, members) a type is taken as malformed,
// a cycle of references, and read as unknown.
constexpr int kMaxTypeDepth = 32;

// The DIE that attribute `attr` of `die` (or of the DIEs it is a specification or concrete
// instance of) refers to; an invalid DIE when there is none.
llvm::DWARFDie referenced(const llvm::DWARFDie &die, llvm::dwarf::Attribute attr);

// The DIE of `die`'s DW_AT_type; invalid for void.
inline llvm::DWARFDie type_of(const llvm::DWARFDie &die) {
  return referenced(die, llvm::dwarf::DW_AT_type);
}

// Whether flag `attr` is set on `die` or on what it is a specification or instance of.
inline bool flag(const llvm::DWARFDie &die, llvm::dwarf::Attribute attr) {
  return llvm::dwarf::toUnsigned(die.findRecursively(attr), 0) != 0;
}

// DW_AT_name of `die` itself; "" when it has none.
inline std::string name_of(const llvm::DWARFDie &die) {
  return llvm::dwarf::toString(die.find(llvm::dwarf::DW_AT_name), "");
}

// `type` with typedefs and cv-qualifiers looked through; invalid past kMaxTypeDepth.
llvm::DWARFDie underlying(llvm::DWARFDie type);

// The DIE that declares what `die` defines: through DW_AT_abstract_origin (an out-of-line
// instance, a constructor's clone) and DW_AT_specification (a definition made outside its class
// or namespace); `die` itself when it refers to neither.
llvm::DWARFDie declaration_of(const llvm::DWARFDie &die);

// `name` with the namespaces and classes around `die`: "geo::Widget" in C++, as it is in C and
// Go. A definition made outside its class, or an instance of one, is scoped where it was
// declared (declaration_of()).
std::string qualified(const llvm::DWARFDie &die, std::string name);

// How a script names the type `die` defines: "struct Line", "struct geo::Widget" (a C++ class
// too), "struct main.Point" (Go's structs are named by their package), "union num",
// "enum color", and a typedef or base type by its scoped name alone ("point_t", "int"). "" for
// an anonymous struct, union or enum, and for DIEs that define no named type.
std::string script_type_name(const llvm::DWARFDie &die);

// Every named type and every variable at file scope in a file's DWARF, by the names scripts use
// for them. Built by one pass over every compile unit's DIEs.
class DwarfNames {
 public:
  explicit DwarfNames(llvm::DWARFContext &context);

  // The first definition in .debug_info order of the type a script names "struct Line",
  // "union num", "enum color" or "point_t" (script_type_name()); in C++ also by its name
  // without scopes ("struct Widget" for geo::Widget) when no type has that scoped name.
  // Declarations do not count. Invalid when there is none.
  llvm::DWARFDie type(const std::string &name) const;

  // The variable at file scope (or in a namespace) named `name`: by its scoped name
  // ("ns::var", Go's "main.counter"), its linkage name ("_ZN2ns3varE"), or its name without
  // scopes. Its definition where there is one, else a declaration. Invalid when there is none.
  llvm::DWARFDie variable(const std::string &name) const;

 private:
  struct Entry {
    uint64_t offset = 0;
    bool definition = false;
  };
  void add_type(const llvm::DWARFDie &die);
  void add_variable(const llvm::DWARFDie &die);
  llvm::DWARFDie die_at(const std::unordered_map<std::string, Entry> &scoped,
                        const std::unordered_map<std::string, Entry> &unscoped,
                        const std::string &name) const;

  llvm::DWARFContext *context_;
  // By the full name, then by the name without C++ scopes: each DIE's offset.
  std::unordered_map<std::string, Entry> types_, unscoped_types_;
  std::unordered_map<std::string, Entry> variables_, unscoped_variables_;
};

// Converts the type DIEs of one file to utrace types, once each (memoised by DIE offset).
//
// Integers by size and signedness (bools and enums as unsigned and signed integers), pointers
// (C++ references too; void * as a pointer to uint8), arrays of their element types nested
// outermost first (char arrays as strings, as bpftrace has them), structs, classes and unions
// as complete records laid out as DWARF says, typedefs and qualifiers looked through. Behind a
// pointer a named struct or union is a record known by name only, which ends the cycles of
// self-referencing types. Floats, functions and what else utrace cannot hold are none.
class DwarfTypeConverter {
 public:
  // `definition` finds a struct's or union's definition by script_type_name() (an invalid DIE
  // when there is none), for a type only declared where it is used by value.
  using FindDefinition = std::function<llvm::DWARFDie(const std::string &name)>;
  explicit DwarfTypeConverter(FindDefinition definition);

  // The utrace type of type DIE `type`; none for an invalid DIE (void).
  codegen::Type convert(const llvm::DWARFDie &type) { return convert(type, 0); }

 private:
  codegen::Type convert(const llvm::DWARFDie &type, int depth);
  codegen::Type convert_uncached(const llvm::DWARFDie &type, int depth);
  codegen::Type pointer_to(const llvm::DWARFDie &pointee, int depth);
  codegen::Type array(const llvm::DWARFDie &type, int depth);
  codegen::Type record(const llvm::DWARFDie &type, int depth);
  std::optional<codegen::RecordField> field(const llvm::DWARFDie &member, int depth);
  std::shared_ptr<const codegen::Record> known_by_name(const llvm::DWARFDie &type);

  FindDefinition definition_;
  std::unordered_map<uint64_t, codegen::Type> converted_;                         // by key()
  std::unordered_map<uint64_t, std::shared_ptr<const codegen::Record>> by_name_;  // by key()
  // How many times kMaxTypeDepth cut a conversion short: what was converted meanwhile is not
  // kept, so that a type first met deep inside another is read whole when asked for itself.
  int cut_short_ = 0;
};

}  // namespace ut::runtime
