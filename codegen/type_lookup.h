// Types a script names: `(struct Line *)`, `sizeof(point_t)`, and the records behind pointers.
// Integer names first, then the script's C definitions, then the traced binaries' DWARF (so a
// script's definition of a name wins). Internal to codegen/; used by analysis.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "codegen/binaries.h"
#include "codegen/c_definitions.h"
#include "codegen/types.h"
#include "parser/diagnostics.h"

namespace ut::codegen {

struct AttachInfo;

class TypeLookup {
 public:
  TypeLookup(const CDefinitions *definitions, BinaryCatalog *binaries)
      : definitions_(definitions), binaries_(binaries) {}

  // The type `name` names ("int32", "struct Line", "point_t") with `pointer_depth` stars, in a
  // probe at `attach_points` (whose files' DWARF is asked); none() after reporting at `range`.
  Type named(const std::string &name, uint32_t pointer_depth,
             const std::vector<AttachInfo> &attach_points, Diagnostics &diags, const Range &range);

  // `t` with its record looked up when it is known by name only (behind a pointer); none()
  // after reporting at `range`.
  Type complete(const Type &t, const std::vector<AttachInfo> &attach_points, Diagnostics &diags,
                const Range &range);

  // `t` with a record the script's definitions name too replaced by the script's (also behind
  // pointers and in arrays): one struct per name, the script's first, as in bpftrace.
  Type preferring_script(const Type &t) const;

  // An enum constant or an integer #define of the script's C definitions.
  std::optional<int64_t> constant(const std::string &name) const;

 private:
  // `name` in the DWARF of the files the attach points name; nullopt when none has it.
  std::optional<Type> from_binaries(const std::string &name,
                                    const std::vector<AttachInfo> &attach_points);

  const CDefinitions *definitions_;
  BinaryCatalog *binaries_;
  std::map<std::pair<std::string, std::string>, std::optional<Type>> cache_;  // (file, name)
};

}  // namespace ut::codegen
