// What the C definitions at the top of a script declare (struct, union and enum definitions,
// typedefs, #include and #define lines), laid out by a real C front end (ctypes/, on libclang).
// Analysis looks a type or a constant up here first, then in the traced program's DWARF
// (BinaryCatalog::type), so a script's definition of a name wins.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "codegen/types.h"

namespace ut::codegen {

struct CDefinitions {
  // Structs and unions by the name a script writes them with: "struct Point", "union Value".
  std::map<std::string, std::shared_ptr<const Record>> records;
  // Typedefs by name ("point_t"), resolved to what they name.
  std::map<std::string, Type> typedefs;
  // Enum constants, and #define'd names whose value is an integer constant.
  std::map<std::string, int64_t> constants;

  bool empty() const { return records.empty() && typedefs.empty() && constants.empty(); }
};

}  // namespace ut::codegen
