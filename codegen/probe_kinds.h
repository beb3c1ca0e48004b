// Probe kinds as table rows: how an attach point of each kind is parsed, and what context its
// BPF function receives.
#pragma once

#include <optional>

#include "codegen/semantic.h"
#include "parser/ast.h"
#include "parser/diagnostics.h"

namespace ut::codegen {

struct ProbeKindRow {
  const char *name;        // "uprobe"
  const char *short_name;  // "u"; empty when there is none
  ProbeKind kind;
  const char *context;  // the C parameter of the probe function
  // Fills `out` from the attach point's fields; reports and returns false when they are wrong.
  bool (*parse)(const ast::AttachPoint &ap, AttachInfo &out, Diagnostics &diags);
};

// The attach point, parsed; nullopt after reporting why it is not valid.
std::optional<AttachInfo> parse_attach_point(const ast::AttachPoint &ap, Diagnostics &diags);

const ProbeKindRow &probe_kind_row(ProbeKind kind);

}  // namespace ut::codegen
