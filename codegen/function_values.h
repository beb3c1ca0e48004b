// `args.NAME` in uprobes and `rets.NAME` in Go return probes: a traced function's parameters
// and results by name, typed and placed by its DWARF (BinaryCatalog::function). Their members:
// `args.s.len` of a Go string or slice, `args.p.f` (or `args.p->f`) of the struct p points to,
// and the elements of a Go slice, `args.xs[i]`.
#pragma once

#include <string>
#include <vector>

#include "codegen/binaries.h"
#include "codegen/types.h"
#include "parser/ast.h"
#include "parser/diagnostics.h"

namespace ut::codegen {

struct AttachInfo;
class LowerContext;

// Whether `f` reads a function's value: `args.x`, `rets.x`, or a member of one (`args.x.len`).
// `args` here means a uprobe's: analysis asks only outside tracepoint probes.
bool is_function_value(const ast::Field &f);

// The type of `f` in a probe with these attach points; none() after reporting why it cannot be
// read. Each attach point's FunctionFacts are looked up in `catalog` once and kept in it.
Type check_function_value(const ast::Field &f, std::vector<AttachInfo> &attach_points,
                          BinaryCatalog *catalog, Diagnostics &diags);

// The C value of `f` in the function of the attach point being lowered.
std::string lower_function_value(LowerContext &lc, const ast::Field &f);

// `args.xs[i]`: an element of a Go slice parameter or result (0 or "" past its length).
bool is_function_element(const ast::Index &index);
Type check_function_element(const ast::Index &index, std::vector<AttachInfo> &attach_points,
                            BinaryCatalog *catalog, Diagnostics &diags);
std::string lower_function_element(LowerContext &lc, const ast::Index &index);

}  // namespace ut::codegen
