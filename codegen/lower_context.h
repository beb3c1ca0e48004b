// What a builtin's lowering function may do while the C of one probe function is written.
#pragma once

#include <string>

#include "codegen/semantic.h"
#include "codegen/types.h"
#include "parser/ast.h"

namespace ut::codegen {

// The C name of map `name`: "@" -> "map_", "@prev" -> "map_prev".
std::string map_c_name(const std::string &name);

class LowerContext {
 public:
  virtual ~LowerContext() = default;
  // Lowers a sub-expression; returns a C expression (or, for strings, a char array's name).
  virtual std::string expr(const ast::Expr &e) = 0;
  // Declares a fresh local of type `t` (zeroed) and returns its name.
  virtual std::string temp(const Type &t) = 0;
  // Declares a char array holding `value` and returns its name.
  virtual std::string string_literal(const std::string &value) = 0;
  // Appends one line of C to the current function body.
  virtual void emit(const std::string &line) = 0;
  // The attach point whose function is being written.
  virtual const AttachInfo &attach() const = 0;
  virtual const SemanticInfo &sema() const = 0;
  // The macro that stands for `symbol`'s address in `binary`, resolved by the runtime.
  virtual std::string symbol_address(const std::string &binary, const std::string &symbol,
                                     const Range &range) = 0;
  // Sends `args` to user space as one event asking for `action` (its kind, format and map).
  virtual void send_event(const EventSpec &action, const std::vector<const ast::Expr *> &args) = 0;
  // The index of map `name` in ProgramPlan::maps.
  virtual int map_index(const std::string &name) const = 0;
  // A C statement adding `delta` to map `name`'s entry count; empty when len() never reads it.
  virtual std::string count_entries(const std::string &map_name, int delta) const = 0;
  // The index of map `name`'s entry count (see ProgramPlan::lengths_map).
  virtual int length_index(const std::string &map_name) const = 0;
  // A C statement counting one update that map `name` refused (it was full).
  virtual std::string count_failure(const std::string &map_name) const = 0;
  // The index of the attach point being written in ProgramPlan::probes.
  virtual size_t attach_index() const = 0;
  // Makes sure user space reads the mappings of process `pid_expr` (a C expression) while it
  // lives, so that its addresses resolve later (EventKind::ProcessSeen, once per process).
  virtual void note_process(const std::string &pid_expr) = 0;
  // A struct ut_ustack of this moment's user stack, of type `t`.
  virtual std::string user_stack(const Type &t) = 0;
  // In a return probe: the nanoseconds since this call's entry (0 when its entry was not seen),
  // which an entry probe on the same function stamps (see ProbeSpec::helper).
  virtual std::string call_duration() = 0;
  // The C expression of argument `n` of the usdt probe being written, defined by the runtime.
  virtual std::string usdt_argument(uint32_t n) = 0;
  // The C statement that ends the probe now (exit(), `return`), also from inside a loop's callback.
  virtual std::string return_statement() const = 0;
  // A pointer to a key of map `name` (for map helpers), built from `keys`.
  virtual std::string map_key(const std::string &name, const std::vector<ast::Expr *> &keys) = 0;
};

}  // namespace ut::codegen
