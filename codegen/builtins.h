// Builtin variables (`pid`, `arg0`...) and functions (`printf`, `uaddr`...) as table rows: each
// has its type rule and its lowering. Adding one is a row and its small functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/lower_context.h"
#include "codegen/semantic.h"
#include "codegen/types.h"
#include "parser/ast.h"
#include "parser/diagnostics.h"

namespace ut::codegen {

// Which probe kinds a builtin may appear in.
using ProbeMask = uint32_t;
constexpr ProbeMask mask(ProbeKind k) {
  return 1u << static_cast<uint32_t>(k);
}
constexpr ProbeMask kAnyProbe = ~0u;
constexpr ProbeMask kUprobes = mask(ProbeKind::Uprobe) | mask(ProbeKind::Uretprobe);
// Probes placed by uprobes at run time: where each fired is in its attach cookie.
constexpr ProbeMask kUprobePlaces = kUprobes | mask(ProbeKind::Usdt);
// Probes on perf events: their context holds the interrupted thread's registers.
constexpr ProbeMask kPerfEvents =
    mask(ProbeKind::Interval) | mask(ProbeKind::Profile) | mask(ProbeKind::Software);
// Probes that interrupt a user thread: its registers and user stack are there to take.
constexpr ProbeMask kUserContext = kUprobePlaces | kPerfEvents;
constexpr const char kUserContextText[] =
    "uprobes, uretprobes, usdt, interval, profile and software probes";
// Probes whose program can take the current thread's user stack (ustack).
constexpr ProbeMask kStackContext = kUserContext | mask(ProbeKind::Tracepoint);
constexpr const char kStackContextText[] =
    "uprobes, uretprobes, usdt, interval, profile, software and tracepoint probes";

struct BuiltinVariable {
  const char *name;
  Type type;
  ProbeMask allowed;
  const char *allowed_text;  // for the error: "uprobes"
  std::string (*lower)(LowerContext &lc);
  bool needs_command = false;  // only with -c (cpid)
  // The probe kinds in which it reads the probe's context: registers (arg0, retval), the attach
  // cookie (func in uprobes). Such a builtin cannot be read where the context is not at hand.
  ProbeMask reads_context = 0;
  // Whether it can be read at attach point `a` (beyond its kind): empty when it can, else why not.
  std::string (*unusable_at)(const AttachInfo &a) = nullptr;
  // Needs each call's entry stamped by an entry probe on the same function (duration).
  bool times_calls = false;
};

// What a function's type rule sees: the call, its arguments' types, and where to report.
struct CallCheck {
  const ast::Call &call;
  const std::vector<Type> &arg_types;
  ProbeMask probe_kinds;  // the kinds of the probe's attach points
  Diagnostics &diags;
  SemanticInfo &sema;
  const std::vector<AttachInfo> &attach_points;  // the probe's
  BinaryCatalog *binaries;                       // may be null (unit tests)
};

struct BuiltinFunction {
  const char *name;
  size_t min_args;
  size_t max_args;
  Type (*check)(CallCheck &c);  // reports errors; returns the call's type
  std::string (*lower)(LowerContext &lc, const ast::Call &call);
  // A positional parameter argument is taken as text (str($1)) rather than as a number.
  bool positional_as_text = false;
  // A map as the first argument (`@m`, `@m[k]`) names it rather than reading it.
  bool map_arg = false;
  // Bare words as arguments (`ustack(perf)`) are names for the type rule, not identifiers.
  bool word_args = false;
  // Reads the probe's registers (ustack), so it cannot be used in a map loop's body.
  bool reads_registers = false;
  // Acts on the system (system(), signal()): allowed only with --unsafe.
  bool unsafe = false;
};

const BuiltinVariable *find_variable(const std::string &name);
const BuiltinFunction *find_function(const std::string &name);

// The closest known builtin name to `name`, for "did you mean" hints; empty when none is close.
std::string nearest_builtin(const std::string &name);

}  // namespace ut::codegen
