// What analysis knows of the file a uprobe attaches to, so that arguments and goroutine ids are
// read the way that file's language passes them. The runtime reads the facts from the ELF file
// (runtime/binary/binary_catalog.h); unit tests give a fake.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codegen/types.h"
#include "support/result.h"

namespace ut::codegen {

struct BinaryFacts {
  bool go = false;  // a Go program; otherwise C, C++ and the like (the System V ABI)
  // Go's register ABI (Go 1.17+ on amd64): integer arguments and results in RAX, RBX, RCX, RDI,
  // RSI, R8, R9, R10, R11; the goroutine (g) in R14. Otherwise Go passes them on the stack.
  bool go_register_abi = false;
  std::optional<uint32_t> goid_offset;  // of runtime.g's goid field, when known
};

// A value a probe reads in a traced function: a parameter at the function's entry (`args.NAME`),
// a Go result at its return (`rets.NAME`), or a member of the struct a parameter points to.
struct ValueFacts {
  enum class Kind {
    Integer,   // integers, bools, enums: `size` bytes
    Pointer,   // an address
    GoString,  // Go's string: words pointer, length
    GoSlice,   // Go's slice: words pointer, length, capacity
    Struct,    // a Go struct passed in registers: its members' registers are theirs
    Record,    // a C struct or union passed by value: its bytes, eight by eight, in `registers`
               // (System V's INTEGER class), or in memory from `offset`; read whole by `type`
    Unreadable,  // see `unreadable`
  };
  std::string name;
  std::string type_name;  // as DWARF spells it: "int", "*main.T", "string", "const char*"
  Kind kind = Kind::Unreadable;
  uint32_t size = 8;  // Integer: bytes
  bool is_signed = false;
  // Where its words are: in these registers (pt_regs names: "ax", "bx", "di"), or when there
  // are none, in memory from `offset`: bytes above the stack pointer for a parameter or result,
  // from the start of the struct for a member.
  std::vector<std::string> registers;
  int64_t offset = 0;
  // Why a probe cannot read it ("it is passed in a floating-point register"); empty when it can.
  std::string unreadable;
  // A pointer to a struct, or a Struct: the struct's members (their members are not
  // described), placed at `offset` in it, or a Struct's in their registers.
  std::vector<ValueFacts> members;
  // A Go slice: one value, the kind of its elements (Integer, Pointer, GoString, or Unreadable),
  // which lie element_stride() bytes apart.
  std::vector<ValueFacts> element;
  // Its type as utrace types, when DWARF describes one utrace can read (integers, pointers,
  // arrays, structs and unions; a pointer to a named struct points to a record known by name
  // only); none otherwise. `(struct T *)`-style reads, `->` and `*` follow it.
  Type type;
};

// The bytes an element takes in a Go slice's array.
inline uint32_t element_stride(const ValueFacts &element) {
  switch (element.kind) {
    case ValueFacts::Kind::Integer:
      return element.size;
    case ValueFacts::Kind::GoString:
      return 16;
    case ValueFacts::Kind::GoSlice:
      return 24;
    default:
      return 8;
  }
}

// What the DWARF of a traced function says of its parameters and results.
struct FunctionFacts {
  std::vector<ValueFacts> params;
  std::vector<ValueFacts> results;  // Go only; named "~r0", "~r1"... when unnamed
};

class BinaryCatalog {
 public:
  virtual ~BinaryCatalog() = default;
  // The facts of the file `binary` names (as a uprobe names it: a path, a program or a library);
  // nullopt when it cannot be read, which the runtime reports where it attaches.
  virtual std::optional<BinaryFacts> facts(const std::string &binary) = 0;
  // The parameters and results of `function` in `binary`, from its DWARF. Error when the file
  // cannot be read or says nothing of the function ("no DWARF for function 'f'").
  virtual Result<FunctionFacts> function(const std::string &binary, const std::string &function) = 0;
  // A named type in `binary`'s DWARF: "struct Line", "union Value", "struct main.Point" (a Go
  // struct), "struct geo::Widget" (a C++ class or struct), or a typedef's name ("point_t").
  // Always a complete record for "struct"/"union" names. Error when the file cannot be read, has
  // no DWARF, or has no such type ("no type 'struct Q' in /tmp/app").
  virtual Result<Type> type(const std::string &binary, const std::string &name) = 0;
  // The type of the global variable `symbol` in `binary` (what `*uaddr("sym")` reads); nullopt
  // when DWARF does not describe it.
  virtual std::optional<Type> variable_type(const std::string &binary,
                                            const std::string &symbol) = 0;
};

}  // namespace ut::codegen
