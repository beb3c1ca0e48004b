// Tracepoint probes in analysis and lowering: expanding wildcards, the types of `args->field`, the
// C struct of a record. What the kernel has (formats, the catalog) is codegen/tracepoint_catalog.h.
#pragma once

#include <string>
#include <vector>

#include "codegen/tracepoint_catalog.h"
#include "codegen/types.h"
#include "parser/ast.h"
#include "parser/diagnostics.h"
#include "support/result.h"

namespace ut::codegen {

// The type a script sees for a field (none() when utrace cannot read it yet).
Type tracepoint_field_type(const TracepointField &field);

struct AttachInfo;
class LowerContext;

// The tracepoints the attach point `pattern` (tracepoint:CATEGORY:NAME, perhaps with wildcards)
// stands for, each with its format; empty after reporting why there are none.
std::vector<AttachInfo> expand_tracepoints(const AttachInfo &pattern, TracepointCatalog *catalog,
                                           Diagnostics &diags, bool missing_is_warning = false);

// Whether `f` reads a tracepoint field: `args->name` or `args.name`.
bool is_tracepoint_args(const ast::Field &f);

// The type of `args->name` in a probe with these attach points; none() after reporting why it
// cannot be read (a field one of them lacks, a probe that is not all tracepoints).
Type check_tracepoint_field(const ast::Field &f, const std::vector<AttachInfo> &attach_points,
                            Diagnostics &diags);

// The C struct of a tracepoint's record, named by tracepoint_struct_name(); its fields at the
// format's offsets.
std::string tracepoint_struct_name(const TracepointFormat &format);
std::string tracepoint_struct(const TracepointFormat &format);

// The C value of `args->name` in the function of the attach point being lowered.
std::string lower_tracepoint_field(LowerContext &lc, const ast::Field &f);

}  // namespace ut::codegen
