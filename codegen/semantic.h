// The analysis stage: what a script means. SemanticInfo holds every fact lowering needs (types,
// maps, the expanded attach points of each probe) so that lowering never re-derives them.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "codegen/plan.h"
#include "codegen/types.h"
#include "parser/ast.h"
#include "parser/diagnostics.h"

namespace ut::codegen {

// One attach point of a probe, parsed: `uprobe:/tmp/counter:main.doWork`.
struct AttachInfo {
  ProbeKind kind = ProbeKind::Begin;
  std::string name;        // canonical: "uprobe:/tmp/counter:main.doWork", "interval:s:1"
  std::string binary;      // uprobe family
  std::string symbol;      // uprobe family
  uint64_t period_ns = 0;  // interval
  const ast::AttachPoint *node = nullptr;
};

struct ProbeInfo {
  const ast::Probe *probe = nullptr;
  std::vector<AttachInfo> attach_points;
  std::map<std::string, Type> variables;  // scratch variables, probe-scoped
};

struct MapInfo {
  std::string name;
  std::vector<Type> keys;  // empty: a scalar map
  Type value;
};

struct SemanticInfo {
  std::unordered_map<const ast::Expr *, Type> types;  // the type of every checked expression
  std::map<std::string, MapInfo> maps;                // by name, hence in printing order
  std::vector<ProbeInfo> probes;                      // one per ast::Probe, in order
  std::unordered_map<const ast::Call *, size_t> call_formats;  // printf call -> formats index
  std::vector<FormatSpec> formats;

  const Type &type_of(const ast::Expr &e) const;
};

// Checks `prog` and collects what it means. Every error is reported in one run.
SemanticInfo analyze(const ast::Program &prog, Diagnostics &diags);

}  // namespace ut::codegen
