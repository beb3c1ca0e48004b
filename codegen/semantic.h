// The analysis stage: what a script means. SemanticInfo holds every fact lowering needs (types,
// maps, the expanded attach points of each probe) so that lowering never re-derives them.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "codegen/binaries.h"
#include "codegen/c_definitions.h"
#include "codegen/plan.h"
#include "codegen/tracepoints.h"
#include "codegen/types.h"
#include "parser/ast.h"
#include "parser/diagnostics.h"

namespace ut::codegen {

// One attach point of a probe, parsed: `uprobe:/tmp/counter:main.doWork`.
struct AttachInfo {
  ProbeKind kind = ProbeKind::Begin;
  std::string name;                 // canonical: "uprobe:/tmp/counter:main.doWork", "interval:s:1"
  std::string binary;               // uprobe family, usdt
  std::string symbol;               // uprobe family; usdt: "provider:name" or "name"
  uint64_t symbol_offset = 0;       // uprobe: `symbol+offset`
  std::optional<uint64_t> address;  // uprobe: an address instead of a symbol
  uint64_t period_ns = 0;           // interval, profile: nanoseconds; software: events
  uint32_t perf_config = 0;         // software: the PERF_COUNT_SW_* event
  const ast::AttachPoint *node = nullptr;
  std::shared_ptr<const TracepointFormat> tracepoint;  // tracepoint: the one matched, its format
  BinaryFacts binary_facts;                            // uprobe family: the file's language and ABI
  // uprobe family: the function's parameters and results, when the probe reads them (args.x)
  std::shared_ptr<const FunctionFacts> function;
};

// A scratch variable. Variables are block-scoped, so one probe may have several `$x`; each
// declaration is one VariableInfo with its own C name.
struct VariableInfo {
  std::string name;    // "$x"
  std::string c_name;  // "var_x", "var_x_1"
  Type type;
};

struct ProbeInfo {
  const ast::Probe *probe = nullptr;
  std::vector<AttachInfo> attach_points;
  std::vector<VariableInfo> variables;  // every declaration in the probe
  bool times_calls = false;             // `duration`: each call's entry is stamped
};

struct MapInfo {
  std::string name;
  std::vector<Type> keys;  // empty: a scalar map
  Type value;
};

struct SemanticInfo {
  std::unordered_map<const ast::Expr *, Type> types;  // the type of every checked expression
  // Each use of a variable -> the C name of the declaration it refers to.
  std::unordered_map<const ast::Variable *, std::string> variable_names;
  std::map<std::string, MapInfo> maps;                         // by name, hence in printing order
  std::vector<ProbeInfo> probes;                               // one per ast::Probe, in order
  std::unordered_map<const ast::Call *, size_t> call_formats;  // printf, strftime... -> index
  std::vector<FormatSpec> formats;
  std::vector<std::string> params;                            // positional parameters $1, $2...
  std::set<std::string> counted_maps;                         // maps whose entries len() counts
  std::set<std::string> iterated_maps;                        // maps a `for` loop walks
  // Values known now: sizeof(), and names of the script's C definitions (enum constants and
  // #define'd integers).
  std::unordered_map<const ast::Expr *, uint64_t> constants;
  // Each `s.x` / `p->x` of a struct or union: the member, its offset from the record's start.
  std::unordered_map<const ast::Field *, RecordField> members;
  // Those members that are Go strings: read as the text their header points to.
  std::set<const ast::Field *> go_string_members;
  bool writes_user_memory = false;                            // `*ADDRESS = value` (--unsafe)

  const Type &type_of(const ast::Expr &e) const;
  // The text of positional parameter `index` (1-based); empty when it was not given.
  std::string param_text(uint32_t index) const {
    return index >= 1 && index <= params.size() ? params[index - 1] : "";
  }
};

struct AnalyzeOptions {
  std::vector<std::string> params;  // the positional parameters given after the program
  bool has_command = false;         // -c was given: `cpid` is defined
  bool kernel_has_kprobes = true;   // the running kernel supports kprobes (for the message)
  bool unsafe = false;              // --unsafe: system() and signal() are allowed
  // The kernel's tracepoints, for tracepoint probes (which are refused without it).
  TracepointCatalog *tracepoints = nullptr;
  // --missing-probes=warn: a tracepoint pattern that matches nothing is a warning, and a probe
  // left without attach points is left out.
  bool missing_probes_warn = false;
  // The files uprobes attach to; without it every file is taken for C.
  BinaryCatalog *binaries = nullptr;
  // The script's C definitions, laid out (ctypes/); types not found there come from DWARF.
  const CDefinitions *c_definitions = nullptr;
};

// Checks `prog` and collects what it means. Every error is reported in one run.
SemanticInfo analyze(const ast::Program &prog, Diagnostics &diags,
                     const AnalyzeOptions &options = {});

// A positional parameter's value as a number ("42", "0x10", "-5"); nullopt when it is not one.
std::optional<int64_t> numeric_param(const std::string &text);

// The value of `e` when it is known before the program runs: an integer literal, or a numeric
// positional parameter (`unroll($1)`, `strncmp(a, b, $2)`); nullopt otherwise.
std::optional<uint64_t> constant_integer(const ast::Expr &e, const SemanticInfo &sema);

// The text str() takes from `e` when it is a positional parameter (`$1`), or one plus an
// integer literal (`$1 + 2`: from its third character on); nullopt otherwise.
std::optional<std::string> positional_text(const ast::Expr &e, const SemanticInfo &sema);

}  // namespace ut::codegen
