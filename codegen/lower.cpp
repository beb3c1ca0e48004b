// Lowering to restricted C that BCC compiles. One C function per attach point; every user-memory
// read is an explicit bpf_probe_read_user(); maps and events are declared from their specs.
#include "codegen/lower.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "codegen/aggregates.h"
#include "codegen/builtins.h"
#include "codegen/function_values.h"
#include "codegen/declarations.h"
#include "codegen/lower_context.h"
#include "codegen/probe_kinds.h"
#include "codegen/type_access.h"
#include "stdlib/prelude.h"

namespace ut::codegen {

std::string map_c_name(const std::string &name) {
  return "map_" + name.substr(1);
}

uint32_t MapSpec::key_size() const {
  if (key_types.empty()) return 8;
  return Type::tuple(key_types).byte_size();  // struct key_NAME, as C lays it out
}

namespace {

using ast::Expr;
using ast::Stmt;

std::string zero_init(const Type &t) {
  return t.is_scalar() ? " = 0" : " = {}";
}

std::string integer_literal(uint64_t v) {
  if (v > INT64_MAX) return std::to_string(v) + "ULL";
  return std::to_string(v) + (v > INT32_MAX ? "LL" : "");
}

class Lowerer : public LowerContext {
 public:
  Lowerer(const ast::Program &prog, const SemanticInfo &sema, const LowerOptions &options)
      : prog_(prog), sema_(sema) {
    plan_.perf_events = options.perf_events;
    plan_.writes_user_memory = sema.writes_user_memory;
    bpf_writes_user_memory_ = options.bpf_writes_user_memory;
    plan_.bpf_writes_user_memory = options.bpf_writes_user_memory;
  }

  ProgramPlan run() {
    plan_.formats = sema_.formats;
    std::string functions;
    int index = 0;
    for (const ProbeInfo &probe : sema_.probes) {
      for (const AttachInfo &ap : probe.attach_points) {
        functions += lower_function(probe, ap, "probe_" + std::to_string(index++));
      }
    }
    functions += call_entries();
    if (zero_block_ > 0)
      frames_ = "struct ut_zero_block { u8 bytes[" + std::to_string(zero_block_) +
                "]; };\nBPF_ARRAY(ut_zeros, struct ut_zero_block, 1);  /* never written */\n" +
                frames_;
    std::string maps = decls_.maps() + call_starts_map(), events = decls_.events();
    plan_.c_source = std::string(stdlib::prelude()) + "\n" + decls_.tuples() + maps + events +
                     decls_.symbols() + tracepoint_structs_ + usdt_arguments() + frames_ +
                     callbacks_ + functions;
    return std::move(plan_);
  }

  // A comment naming the macros of usdt probes, which the runtime defines.
  std::string usdt_arguments() const {
    std::string out;
    for (size_t i = 0; i < plan_.probes.size(); ++i) {
      if (plan_.probes[i].kind != ProbeKind::Usdt) continue;
      out += "/* " + usdt_probe_macro(i) + "(ctx): probe at every place of " +
             plan_.probes[i].name + ", defined when the program is loaded */\n";
      for (uint32_t n = 0; n < plan_.probes[i].usdt_args; ++n)
        out += "/* " + usdt_argument_macro(i, n) + "(ctx): arg" + std::to_string(n) + " of " +
               plan_.probes[i].name + ", defined when the program is loaded */\n";
    }
    return out.empty() ? out : out + "\n";
  }

  // ---- LowerContext ------------------------------------------------------------------------

  std::string expr(const Expr &e) override { return lower_expr(e); }

  std::string temp(const Type &t) override {
    std::string name = "v" + std::to_string(temp_counter_++);
    if (too_big_for_the_stack(t) && !in_callback_) {
      std::string slot = scratch_slot(t, name);
      emit(zeroing(slot, t));
      return slot;
    }
    emit(decls_.declaration(t, name) + zero_init(t) + ";");
    return name;
  }

  std::string string_literal(const std::string &value) override {
    std::string v = "v" + std::to_string(temp_counter_++);
    emit("char " + v + "[] = " + c_string(value) + ";");
    return v;
  }

  void emit(const std::string &line) override {
    body_ += std::string(indent_ * 2, ' ') + line + "\n";
  }

  const AttachInfo &attach() const override { return *attach_; }
  const SemanticInfo &sema() const override { return sema_; }

  std::string symbol_address(const std::string &binary, const std::string &symbol,
                             const Range &range) override {
    for (const SymbolRef &s : plan_.symbols)
      if (s.probe == attach_index() && s.binary == binary && s.symbol == symbol) return s.macro;
    plan_.symbols.push_back(
        {"UT_SYM_" + std::to_string(plan_.symbols.size()), binary, symbol, range, attach_index()});
    return plan_.symbols.back().macro;
  }

  std::string return_statement() const override {
    return in_callback_ ? "{ uf->ut_returned = 1; return 1; }" : "return 0;";
  }

  int map_index(const std::string &name) const override {
    return static_cast<int>(std::distance(sema_.maps.begin(), sema_.maps.find(name)));
  }

  void send_event(const EventSpec &action, const std::vector<const Expr *> &args) override {
    std::vector<std::string> values;
    std::vector<FieldSpec> fields;
    for (const Expr *a : args) {
      Type t = sema_.type_of(*a);
      bool as_is = t.is_string() || t.kind == TypeKind::Tuple || t.is_buffer() ||
                   t.is_symbolic() || t.is_record() || t.is_array() || t.is_pointer();
      FieldSpec f{0, as_is ? t : Type::integer(64, !t.is_integer() || t.is_signed), {}};
      if (a->kind == Expr::Kind::String) f.constant = ast::as<ast::String>(*a).value;
      values.push_back(f.constant ? "" : lower_expr(*a));
      fields.push_back(std::move(f));
    }
    emit_event(action, fields, values);
  }

  std::string user_stack(const Type &t) override {
    plan_.stacks_map = "ut_stacks";
    std::string v = temp(t);
    emit(v + ".id = ut_user_stack(ctx, " + std::to_string(t.size) + ");");
    emit(v + ".pid = bpf_get_current_pid_tgid() >> 32;");
    if (attach_->kind == ProbeKind::Uprobe) {
      emit("/* At the first instruction the return address is on top of the stack. */");
      emit("bpf_probe_read_user(&" + v + ".entry_caller, 8, (void *)PT_REGS_SP(ctx));");
    }
    note_process(v + ".pid");
    return v;
  }

  size_t attach_index() const override { return plan_.probes.size() - 1; }

  std::string usdt_argument(uint32_t n) override {
    ProbeSpec &probe = plan_.probes.back();
    probe.usdt_args = std::max(probe.usdt_args, n + 1);
    return usdt_argument_macro(attach_index(), n) + "(ctx)";
  }

  void note_process(const std::string &pid_expr) override {
    plan_.seen_processes_map = "ut_seen_processes";
    std::string pid = "pid" + std::to_string(temp_counter_++);
    emit("u32 " + pid + " = " + pid_expr + ";");
    emit("u8 " + pid + "_seen = 1;");
    emit("if (" + plan_.seen_processes_map + ".insert(&" + pid + ", &" + pid + "_seen) == 0) {");
    ++indent_;
    EventSpec seen;
    seen.kind = EventKind::ProcessSeen;
    emit_event(seen, {FieldSpec{0, Type::integer(64, false), {}}}, {pid});
    --indent_;
    emit("}");
  }

  // Sends one event record: `values` are the C expressions of the non-constant `fields`.
  void emit_event(const EventSpec &action, const std::vector<FieldSpec> &fields,
                  const std::vector<std::string> &values) {
    size_t id = decls_.event_for(action, fields);
    const EventSpec &ev = plan_.events[id];
    std::string e = "e" + std::to_string(temp_counter_++);
    if (plan_.perf_events) {  // built in this CPU's scratch slot, then copied out
      emit("struct " + ev.c_struct + " *" + e + " = ut_event_slot();");
    } else {  // built in place in the ring buffer
      emit("struct " + ev.c_struct + " *" + e + " = " + plan_.events_map +
           ".ringbuf_reserve(sizeof(*" + e + "));");
    }
    emit("if (" + e + ") {");
    ++indent_;
    emit(e + "->id = " + std::to_string(id) + ";");
    for (size_t i = 0; i < values.size(); ++i) {
      if (fields[i].constant) continue;
      if (fields[i].type.is_string())
        emit("__builtin_memcpy(" + e + "->" + field_name(i) + ", " + values[i] + ", " +
             std::to_string(fields[i].type.size) + ");");
      else
        emit(e + "->" + field_name(i) + " = " + values[i] + ";");
    }
    if (plan_.perf_events) {
      emit("if (" + plan_.events_map + ".perf_submit(ctx, " + e + ", sizeof(*" + e + ")))");
      emit("  ut_count(" + std::to_string(kLostEventsCounter) +
           ");  /* no room: counted as lost */");
    } else {
      emit(plan_.events_map + ".ringbuf_submit(" + e + ", 0);");
    }
    --indent_;
    emit("} else {");
    emit("  ut_count(" + std::to_string(kLostEventsCounter) + ");  /* no room: counted as lost */");
    emit("}");
  }

  int length_index(const std::string &map_name) const override {
    const auto &counted = sema_.counted_maps;
    auto it = counted.find(map_name);
    return it == counted.end() ? -1 : static_cast<int>(std::distance(counted.begin(), it));
  }

  std::string count_entries(const std::string &map_name, int delta) const override {
    int index = length_index(map_name);
    if (index < 0) return "";
    return "ut_length_add(" + std::to_string(index) + ", " + std::to_string(delta) + ");";
  }

  std::string count_failure(const std::string &map_name) const override {
    return "ut_count(" + std::to_string(map_full_counter(map_index(map_name))) + ");";
  }

 private:
  // ---- functions ---------------------------------------------------------------------------

  std::string location(const Range &r) const {
    return prog_.source ? prog_.source->name + ":" + std::to_string(r.begin.line)
                        : std::to_string(r.begin.line);
  }

  // The statement as written, for the comment above its C.
  std::string source_text(const Range &r) const {
    if (!prog_.source || r.begin.line != r.end.line) return "";
    std::string_view line = prog_.source->line(r.begin.line);
    if (r.begin.column > line.size()) return "";
    std::string text(line.substr(r.begin.column - 1, r.end.column - r.begin.column));
    for (size_t p; (p = text.find("*/")) != std::string::npos;) text.replace(p, 2, "* /");
    return text;
  }

  std::string lower_function(const ProbeInfo &probe, const AttachInfo &ap, const std::string &fn) {
    attach_ = &ap;
    probe_ = &probe;
    function_ = fn;
    frame_.clear();
    scratch_fields_.clear();
    scratch_variables_.clear();
    body_.clear();
    temp_counter_ = 0;
    indent_ = 1;
    plan_.probes.push_back(
        {ap.kind, ap.name, fn, ap.binary, ap.symbol, ap.symbol_offset, ap.address, ap.period_ns,
         ap.perf_config, ap.node->range,
         ap.tracepoint ? ap.tracepoint->category + ":" + ap.tracepoint->name : ""});
    std::string context = probe_kind_row(ap.kind).context;
    if (ap.tracepoint) {  // the function takes the tracepoint's record
      std::string name = tracepoint_struct_name(*ap.tracepoint);
      if (tracepoint_structs_declared_.insert(name).second)
        tracepoint_structs_ += tracepoint_struct(*ap.tracepoint);
      context = "struct " + name + " *ctx";
    }

    emit("u64 zero_key = 0;");
    if (probe.times_calls) take_call_start(ap);
    variable_types_.clear();
    for (const VariableInfo &v : probe.variables) variable_types_[v.c_name] = v.type;
    for (const VariableInfo &v : probe.variables) {
      if (v.type.is_none()) continue;
      if (too_big_for_the_stack(v.type)) {
        scratch_variables_.insert(v.c_name);
        emit(zeroing(scratch_slot(v.type, v.c_name), v.type));
        continue;
      }
      emit(decls_.declaration(v.type, v.c_name) + zero_init(v.type) + ";");
    }
    if (probe.probe->predicate) {
      emit("/* " + location(probe.probe->predicate->range) + "  predicate */");
      std::string c = lower_expr(*probe.probe->predicate);
      emit("if (!(" + c + "))");
      emit("  return 0;");
    }
    lower_block_contents(*probe.probe->body);
    emit("return 0;");

    if (!scratch_fields_.empty()) {
      // Records and arrays too big for the 512 bytes of BPF stack live in a per-CPU slot.
      std::string name = "ut_scratch_" + fn;
      frames_ += "struct " + name + " {" + scratch_fields_ + " };\nBPF_PERCPU_ARRAY(" + name +
                 ", struct " + name + ", 1);\n";
      body_ = "  u32 scratch_key = 0;\n  struct " + name + " *scratch = " + name +
              ".lookup(&scratch_key);\n  if (!scratch)\n    return 0;\n" + body_;
    }
    return "/* " + location(ap.node->range) + "  " + ap.name + " */\nint " + fn + "(" + context +
           ")\n{\n" + body_ + "}\n\n";
  }

  // ---- duration: return probes paired with their calls' entries ------------------------------

  // The key of one call while it runs: in Go (register ABI), the goroutine and how deep in its
  // stack the call's frame is, which survives the runtime moving the stack and the goroutine
  // moving between threads; elsewhere the thread and the stack pointer. `sp` is the stack
  // pointer at the function's entry; `probe` the return probe's index.
  std::string call_key(const AttachInfo &ap, size_t probe, const std::string &sp) {
    const BinaryFacts &f = ap.binary_facts;
    std::string key = "struct ut_call_key call_key = {" + std::to_string(probe) + ", 0, 0};\n";
    if (f.go && f.go_register_abi && f.goid_offset) {
      return key + "  u64 stack_hi = 0;  /* g.stack.hi */\n"
                   "  bpf_probe_read_user(&call_key.id, 8, (void *)(ctx->r14 + " +
             std::to_string(*f.goid_offset) +
             "));\n"
             "  bpf_probe_read_user(&stack_hi, 8, (void *)(ctx->r14 + 8));\n"
             "  call_key.depth = stack_hi - (" + sp + ");\n";
    }
    return key + "  call_key.id = bpf_get_current_pid_tgid();\n  call_key.depth = " + sp + ";\n";
  }

  // At the top of a return probe that reads duration: takes its call's start out of the map.
  void take_call_start(const AttachInfo &ap) {
    size_t index = attach_index();
    plan_.probes[index].times_calls = true;
    timed_calls_.push_back({index, &ap});
    emit("/* duration: the time since this call's entry, stamped by " + function_ +
         "_entry */");
    emit(call_key(ap, index, "PT_REGS_SP(ctx) - " + entry_sp_macro(index)) +
         "  u64 ut_duration = 0;\n"
         "  u64 *call_start = ut_call_starts.lookup(&call_key);\n"
         "  if (call_start) {\n"
         "    ut_duration = bpf_ktime_get_boot_ns() - *call_start;\n"
         "    ut_call_starts.delete(&call_key);\n"
         "  }");
  }

  std::string call_duration() override { return "ut_duration"; }

  // The entry probes that stamp the calls of return probes reading duration.
  std::string call_entries() {
    std::string out;
    for (const auto &[index, ap] : timed_calls_) {
      std::string fn = plan_.probes[index].c_function + "_entry";
      ProbeSpec entry = plan_.probes[index];
      entry.kind = ProbeKind::Uprobe;
      entry.name = "uprobe:" + entry.name.substr(entry.name.find(':') + 1);
      entry.c_function = fn;
      entry.times_calls = false;
      entry.helper = true;
      plan_.probes.push_back(entry);
      out += "/* " + location(ap->node->range) + "  the entry of " + ap->name +
             ", for duration */\nint " + fn + "(struct pt_regs *ctx)\n{\n  " +
             call_key(*ap, index, "PT_REGS_SP(ctx)") +
             "  u64 now = bpf_ktime_get_boot_ns();\n"
             "  ut_call_starts.update(&call_key, &now);\n"
             "  return 0;\n}\n\n";
    }
    return out;
  }

  // Calls under way, by their key. An LRU map: entries of calls that never return (a panic, an
  // exiting thread) make way for new ones.
  std::string call_starts_map() const {
    if (timed_calls_.empty()) return "";
    return "struct ut_call_key {\n  u64 probe;\n  u64 id;\n  u64 depth;\n};\n"
           "BPF_TABLE(\"lru_hash\", struct ut_call_key, u64, ut_call_starts, 65536);\n";
  }

  void lower_block_contents(const ast::Block &b) {
    for (const Stmt *s : b.stmts) lower_stmt(*s);
  }

  void nested_block(const ast::Block &b) {
    ++indent_;
    lower_block_contents(b);
    --indent_;
  }

  void lower_stmt(const Stmt &s) {
    if (s.kind != Stmt::Kind::Block && s.kind != Stmt::Kind::Error) {
      std::string text = source_text(s.range);
      emit("/* " + location(s.range) + (text.empty() ? "" : "  " + text) + " */");
    }
    // Each statement's temporaries live in a block of their own, so that Clang can give their
    // stack slots to the next statement: BPF has 512 bytes of stack.
    bool scoped = s.kind == Stmt::Kind::Expr || s.kind == Stmt::Kind::Assign ||
                  s.kind == Stmt::Kind::Let || s.kind == Stmt::Kind::If ||
                  s.kind == Stmt::Kind::While || s.kind == Stmt::Kind::For;
    if (scoped) {
      emit("{");
      ++indent_;
    }
    lower_stmt_body(s);
    if (scoped) {
      --indent_;
      emit("}");
    }
  }

  void lower_stmt_body(const Stmt &s) {
    switch (s.kind) {
      case Stmt::Kind::Expr: {
        // Calls emit their own statements and yield nothing; anything else may have an effect.
        std::string value = lower_expr(*ast::as<ast::ExprStmt>(s).expr);
        if (!value.empty()) emit("(void)" + value + ";");
        break;
      }
      case Stmt::Kind::Assign:
        lower_assign(ast::as<ast::Assign>(s));
        break;
      case Stmt::Kind::Block:
        emit("{");
        nested_block(ast::as<ast::Block>(s));
        emit("}");
        break;
      case Stmt::Kind::If:
        lower_if(ast::as<ast::If>(s));
        break;
      case Stmt::Kind::While: {
        const auto &w = ast::as<ast::While>(s);
        emit("while (1) {");
        ++indent_;
        std::string c = lower_expr(*w.cond);
        emit("if (!(" + c + "))");
        emit("  break;");
        loops_.push_back(Loop::C);
        lower_block_contents(*w.body);
        loops_.pop_back();
        --indent_;
        emit("}");
        break;
      }
      case Stmt::Kind::Unroll: {
        const auto &u = ast::as<ast::Unroll>(s);
        uint64_t n = *constant_integer(*u.count, sema_);
        for (uint64_t i = 0; i < n; ++i) {
          emit("{");
          nested_block(*u.body);
          emit("}");
        }
        break;
      }
      case Stmt::Kind::Let: {
        const auto &l = ast::as<ast::Let>(s);
        if (l.value)
          store(*l.var, lower_expr(*l.value), sema_.type_of(*l.value));
        else if (!variable_types_.at(sema_.variable_names.at(l.var))
                      .is_none())  // never assigned: nothing to reset
          // A loop that re-enters the block starts afresh.
          emit("__builtin_memset(&" + variable(*l.var) + ", 0, sizeof(" + variable(*l.var) + "));");
        break;
      }
      case Stmt::Kind::For: {
        const auto &f = ast::as<ast::For>(s);
        if (!f.end) {
          lower_for_map(f);
          break;
        }
        std::string begin = lower_expr(*f.begin), end = lower_expr(*f.end);
        std::string limit = temp(Type::integer());
        emit(limit + " = " + end + ";");
        std::string i = variable(*f.var);
        emit("for (" + i + " = " + begin + "; " + i + " < " + limit + "; " + i + "++) {");
        loops_.push_back(Loop::C);
        nested_block(*f.body);
        loops_.pop_back();
        emit("}");
        break;
      }
      case Stmt::Kind::Return:
        emit(return_statement());
        break;
      case Stmt::Kind::Break:  // in a callback: stop walking the map
        emit(loops_.back() == Loop::Callback ? "return 1;" : "break;");
        break;
      case Stmt::Kind::Continue:  // in a callback: on to the next entry
        emit(loops_.back() == Loop::Callback ? "return 0;" : "continue;");
        break;
      case Stmt::Kind::Error:
        break;
    }
  }

  // ---- for ($kv : @m) ----------------------------------------------------------------------

  // The body becomes callback ut_callback_N for bpf_for_each_map_elem(). A callback is its own
  // BPF function with its own stack, so the probe's variables live in a per-CPU frame while the
  // map is walked: the probe stores them there before the walk and reloads them after, and the
  // body uses them in place. (BPF programs of one CPU do not run nested, so one frame per probe
  // function suffices.)
  void lower_for_map(const ast::For &f) {
    const auto &m = ast::as<ast::Map>(*f.begin);
    int id = plan_.callbacks++;
    std::string frame = frame_map();
    char callback[64];
    snprintf(callback, sizeof(callback), "(void *)UT_LOAD_CONSTANT(0x%llx)",
             static_cast<unsigned long long>(kCallbackTag | static_cast<uint64_t>(id)));
    std::string walk = "bpf_for_each_map_elem(" + Declarations::map_ref(map_c_name(m.name)) + ", " +
                       callback + ", 0, 0);";
    if (in_callback_) {  // a loop in a loop: the variables are in the frame already
      emit(walk);
      emit("if (uf->ut_returned)");
      emit("  return 1;");
    } else {
      emit("struct " + frame + " *uf = " + frame + ".lookup(&zero_key);");
      emit("if (uf) {");
      ++indent_;
      for (const VariableInfo &v : probe_->variables)
        if (!v.type.is_none())
          emit("__builtin_memcpy(&uf->" + v.c_name + ", &" + v.c_name + ", sizeof(" + v.c_name +
               "));");
      emit("uf->ut_returned = 0;");
      emit(walk);
      for (const VariableInfo &v : probe_->variables)
        if (!v.type.is_none())
          emit("__builtin_memcpy(&" + v.c_name + ", &uf->" + v.c_name + ", sizeof(" + v.c_name +
               "));");
      emit("if (uf->ut_returned)");
      emit("  return 0;");
      --indent_;
      emit("}");
    }
    lower_callback(f, m, id, frame);
  }

  // The frame of the current probe function's variables, declared the first time it is needed.
  std::string frame_map() {
    if (!frame_.empty()) return frame_;
    frame_ = "ut_frame_" + function_;
    std::string decl = "struct " + frame_ + " {";
    for (const VariableInfo &v : probe_->variables)
      if (!v.type.is_none()) decl += " " + decls_.declaration(v.type, v.c_name) + ";";
    frames_ +=
        decl + " u8 ut_returned; };\nBPF_PERCPU_ARRAY(" + frame_ + ", struct " + frame_ + ", 1);\n";
    return frame_;
  }

  void lower_callback(const ast::For &f, const ast::Map &m, int id, const std::string &frame) {
    std::string saved_body = std::move(body_);
    int saved_indent = indent_, saved_temps = temp_counter_;
    bool saved_in_callback = in_callback_;
    std::vector<Loop> saved_loops = std::move(loops_);
    body_.clear();
    indent_ = 1;
    temp_counter_ = 0;
    in_callback_ = true;
    loops_ = {Loop::Callback};

    // The kernel passes (map, key, value, context); BCC would turn a second parameter into a
    // probe argument, so the key comes straight from R2, before any other instruction.
    std::string key_struct = "struct key_" + map_c_name(m.name).substr(4);
    emit(key_struct + " *ut_key;");
    emit("asm volatile(\"%0 = r2\" : \"=r\"(ut_key));");
    emit("u64 zero_key = 0;");
    emit("struct " + frame + " *uf = " + frame + ".lookup(&zero_key);");
    emit("if (!uf)");
    emit("  return 1;");
    const MapInfo &info = sema_.maps.at(m.name);
    std::string key = variable(*f.var) + "." + field_name(0);
    std::string value = variable(*f.var) + "." + field_name(1);
    if (info.keys.size() == 1) {
      copy_into(key, info.keys[0], "ut_key->" + field_name(0), info.keys[0]);
    } else {
      for (size_t i = 0; i < info.keys.size(); ++i)
        copy_into(key + "." + field_name(i), info.keys[i], "ut_key->" + field_name(i),
                  info.keys[i]);
    }
    if (info.value.is_aggregate()) {
      std::string v = lower_aggregation_read(*this, Declarations::map_ref(map_c_name(m.name)),
                                             "ut_key", info.value.agg);
      emit(value + " = " + v + ";");
    } else {
      emit(decls_.leaf_type(info.value) + " *ut_value = " + map_c_name(m.name) +
           ".lookup(ut_key);");
      emit("if (!ut_value)");
      emit("  return 0;");
      copy_into(value, info.value, "(*ut_value)", info.value);
    }
    lower_block_contents(*f.body);
    emit("return 0;");
    callbacks_ += "/* " + location(f.range) + "  the body of a for loop over " + m.name +
                  " */\nint " + kCallbackPrefix + std::to_string(id) + "(void *ut_map)\n{\n" +
                  body_ + "}\n\n";

    body_ = std::move(saved_body);
    indent_ = saved_indent;
    temp_counter_ = saved_temps;
    in_callback_ = saved_in_callback;
    loops_ = std::move(saved_loops);
  }

  void lower_if(const ast::If &i) {
    std::string c = lower_expr(*i.cond);
    emit("if (" + c + ") {");
    nested_block(*i.then_block);
    if (!i.else_stmt) {
      emit("}");
      return;
    }
    emit("} else {");
    ++indent_;
    if (i.else_stmt->kind == Stmt::Kind::Block)
      lower_block_contents(ast::as<ast::Block>(*i.else_stmt));
    else
      lower_stmt(*i.else_stmt);
    --indent_;
    emit("}");
  }

  void lower_assign(const ast::Assign &a) {
    const Type &target_type = sema_.type_of(*a.target);
    if (a.target->kind == Expr::Kind::Unary) {  // `*ADDRESS = value` (--unsafe)
      const ast::Expr &address = *ast::as<ast::Unary>(*a.target).operand;
      std::string where = lower_expr(address);
      std::string value = lower_expr(*a.value);
      if (a.compound) {
        std::string current = lower_expr(*a.target);
        value = arithmetic(a.op, current, value, target_type.is_signed);
      }
      std::string v = temp(target_type);
      emit(v + " = " + value + ";");
      if (bpf_writes_user_memory_) {
        emit("bpf_probe_write_user((void *)(" + where + "), &" + v + ", sizeof(" + v + "));");
        return;
      }
      EventSpec write;
      write.kind = EventKind::WriteMemory;
      FieldSpec u64{0, Type::integer(64, false), {}};
      emit_event(write, {u64, u64, u64, u64},
                 {"bpf_get_current_pid_tgid() >> 32", "(u64)(" + where + ")", "(u64)" + v,
                  "sizeof(" + v + ")"});
      return;
    }
    if (sema_.type_of(*a.value).is_aggregate()) {
      lower_aggregation(ast::as<ast::Map>(*a.target), ast::as<ast::Call>(*a.value));
      return;
    }
    std::string value = lower_expr(*a.value);
    if (a.compound) {
      std::string current = lower_expr(*a.target);
      bool additive = a.op == ast::BinaryOp::Add || a.op == ast::BinaryOp::Sub;
      if (additive && pointer_step(target_type) > 1)  // p += n steps n pointees
        value = "(" + value + ") * " + std::to_string(pointer_step(target_type));
      value = arithmetic(a.op, current, value, target_type.is_signed);
    }
    store(*a.target, value, sema_.type_of(*a.value));
  }

  // Writes `value` (a C expression of type `value_type`) into a map entry or variable.
  void store(const Expr &target, const std::string &value, const Type &value_type) {
    if (target.kind == Expr::Kind::Variable) {
      std::string var = variable(ast::as<ast::Variable>(target));
      if (value_type.is_string())
        emit("__builtin_memcpy(" + var + ", " + value + ", " + std::to_string(value_type.size) +
             ");");
      else
        emit(assignment(var, value, value_type));
      return;
    }
    const auto &m = ast::as<ast::Map>(target);
    const MapInfo &info = sema_.maps.at(m.name);
    std::string key = map_key(m);
    std::string v;
    if (info.value.is_scalar()) {
      v = "v" + std::to_string(temp_counter_++);
      emit(decls_.declaration(info.value, v) + " = " + value + ";");
    } else if (value_type == info.value && !value_type.is_string()) {
      v = value;  // already in the map's layout (records and arrays are never copied for it)
    } else {
      // Strings and tuples are stored in the map's own layout: zeroed, then filled.
      v = temp(info.value);
      copy_into(v, info.value, value, value_type);
    }
    if (std::string grew = count_entries(m.name, 1); !grew.empty()) {
      // A new key counts for len(): try inserting first, then update an existing one.
      emit("if (" + map_c_name(m.name) + ".insert(" + key + ", &" + v + ") == 0)");
      emit("  " + grew);
      emit("else if (" + map_c_name(m.name) + ".update(" + key + ", &" + v + "))");
    } else {
      emit("if (" + map_c_name(m.name) + ".update(" + key + ", &" + v + "))");
    }
    emit("  " + count_failure(m.name));
  }

  // Copies `value` (of type `from`) into `dest` (of type `to`, the same shape, strings perhaps of
  // another size).
  void copy_into(const std::string &dest, const Type &to, const std::string &value,
                 const Type &from) {
    if (to.is_string()) {
      uint32_t n = std::min(from.size, to.size - 1);  // the last byte stays the NUL
      emit("__builtin_memcpy(" + dest + ", " + value + ", " + std::to_string(n) + ");");
    } else if (to.kind == TypeKind::Tuple) {
      for (size_t i = 0; i < to.elements.size(); ++i)
        copy_into(dest + "." + field_name(i), to.elements[i], value + "." + field_name(i),
                  from.elements[i]);
    } else {
      emit(assignment(dest, value, to));
    }
  }

  // The C name of the declaration `v` refers to; in a callback, its place in the frame.
  std::string variable(const ast::Variable &v) const {
    const std::string &name = sema_.variable_names.at(&v);
    if (in_callback_) return "uf->" + name;
    return scratch_variables_.count(name) ? "scratch->" + name : name;
  }

  // Records and arrays this large go in the probe's per-CPU scratch slot, not on the stack.
  static bool too_big_for_the_stack(const Type &t) {
    return (t.is_record() || t.is_array()) && t.byte_size() > 128;
  }

  // `dest = value;` for a value of type `t`. Records and arrays in the scratch slot are copied
  // by a helper: BPF has no memcpy, and Clang calls it for copies that large.
  static std::string assignment(const std::string &dest, const std::string &value,
                                const Type &t) {
    if (!too_big_for_the_stack(t)) return dest + " = " + value + ";";
    return "bpf_probe_read_kernel(&" + dest + ", " + std::to_string(t.byte_size()) + ", &" +
           value + ");";
  }

  // Zeroes `slot` (in the scratch slot) from the program's block of zeros: BPF has no memset.
  std::string zeroing(const std::string &slot, const Type &t) {
    zero_block_ = std::max(zero_block_, t.byte_size());
    return "bpf_probe_read_kernel(&" + slot + ", " + std::to_string(t.byte_size()) +
           ", ut_zeros.lookup(&scratch_key));";
  }

  // A member of the probe's scratch slot holding a `t` named `name`.
  std::string scratch_slot(const Type &t, const std::string &name) {
    scratch_fields_ += " " + decls_.declaration(t, name) + ";";
    return "scratch->" + name;
  }

  // A pointer to the key of `m` for map helpers.
  std::string map_key(const ast::Map &m) { return map_key(m.name, m.keys); }

  std::string map_key(const std::string &name, const std::vector<Expr *> &keys) override {
    if (keys.empty()) return "&zero_key";
    std::vector<std::string> parts;
    for (const Expr *k : keys) parts.push_back(lower_expr(*k));
    std::string key = "k" + std::to_string(temp_counter_++);
    // Zeroed first: the padding and the bytes after a string's NUL are part of the key.
    emit("struct key_" + map_c_name(name).substr(4) + " " + key + " = {};");
    for (size_t i = 0; i < parts.size(); ++i) {
      const Type &t = sema_.type_of(*keys[i]);
      std::string field = key + "." + field_name(i);
      copy_into(field, sema_.maps.at(name).keys[i], parts[i], t);
    }
    return "&" + key;
  }

  std::string arithmetic(ast::BinaryOp op, const std::string &l, const std::string &r,
                         bool is_signed) {
    if (op == ast::BinaryOp::Div)
      return is_signed ? "ut_sdiv(" + l + ", " + r + ")" : "((u64)(" + l + ") / (u64)(" + r + "))";
    if (op == ast::BinaryOp::Mod)
      return is_signed ? "ut_smod(" + l + ", " + r + ")" : "((u64)(" + l + ") % (u64)(" + r + "))";
    return "(" + l + " " + ast::spelling(op) + " " + r + ")";
  }

  // ---- expressions -------------------------------------------------------------------------

  std::string lower_expr(const Expr &e) {
    switch (e.kind) {
      case Expr::Kind::Integer:
        return integer_literal(ast::as<ast::Integer>(e).value);
      case Expr::Kind::String:
        return string_literal(ast::as<ast::String>(e).value);
      case Expr::Kind::Positional: {
        auto v = numeric_param(sema_.param_text(ast::as<ast::Positional>(e).index));
        return v ? "(s64)" + integer_literal(static_cast<uint64_t>(*v)) : "0";
      }
      case Expr::Kind::PositionalCount:
        return std::to_string(sema_.params.size());
      case Expr::Kind::Sizeof:
        return std::to_string(sema_.constants.at(&e));
      case Expr::Kind::Tuple: {
        const auto &t = ast::as<ast::Tuple>(e);
        std::vector<std::string> values;
        for (const Expr *el : t.elements) values.push_back(lower_expr(*el));
        std::string v = temp(sema_.type_of(e));
        for (size_t i = 0; i < values.size(); ++i) {
          const Type &et = sema_.type_of(*t.elements[i]);
          std::string field = v + "." + field_name(i);
          emit(et.is_string() ? "__builtin_memcpy(" + field + ", " + values[i] + ", " +
                                    std::to_string(et.size) + ");"
                              : assignment(field, values[i], et));
        }
        return v;
      }
      case Expr::Kind::Field: {
        const auto &f = ast::as<ast::Field>(e);
        if (attach_->tracepoint && is_tracepoint_args(f)) return lower_tracepoint_field(*this, f);
        if (is_typed_access(e, sema_)) return lower_typed_access(*this, e);
        if (!attach_->tracepoint && is_function_value(f)) return lower_function_value(*this, f);
        return lower_expr(*f.base) + "." + field_name(std::stoul(f.name));
      }
      case Expr::Kind::Index:
        if (is_typed_access(e, sema_)) return lower_typed_access(*this, e);
        return lower_function_element(*this, ast::as<ast::Index>(e));
      case Expr::Kind::Identifier:
        if (auto c = sema_.constants.find(&e); c != sema_.constants.end())
          return "(s64)" + integer_literal(c->second);  // an enum constant or a #define
        return find_variable(ast::as<ast::Identifier>(e).name)->lower(*this);
      case Expr::Kind::Variable:
        return variable(ast::as<ast::Variable>(e));
      case Expr::Kind::Map:
        return map_read(ast::as<ast::Map>(e));
      case Expr::Kind::Call: {
        const auto &c = ast::as<ast::Call>(e);
        return find_function(c.name)->lower(*this, c);
      }
      case Expr::Kind::Binary:
        return lower_binary(ast::as<ast::Binary>(e));
      case Expr::Kind::Unary:
        return lower_unary(ast::as<ast::Unary>(e));
      case Expr::Kind::Ternary: {
        const auto &t = ast::as<ast::Ternary>(e);
        if (sema_.type_of(e).is_none()) {
          // `c ? printf(...) : exit()`: calls for what they do, no value.
          emit("if (" + lower_expr(*t.cond) + ") {");
          ++indent_;
          lower_expr(*t.then_expr);
          --indent_;
          emit("} else {");
          ++indent_;
          lower_expr(*t.else_expr);
          --indent_;
          emit("}");
          return "0";
        }
        std::string result = temp(sema_.type_of(e));
        std::string c = lower_expr(*t.cond);
        emit("if (" + c + ") {");
        branch_into(result, *t.then_expr);
        emit("} else {");
        branch_into(result, *t.else_expr);
        emit("}");
        return result;
      }
      case Expr::Kind::Cast: {
        const auto &c = ast::as<ast::Cast>(e);
        return "((" + sema_.type_of(e).c_type() + ")" + lower_expr(*c.operand) + ")";
      }
      default:
        return "0";  // rejected by analysis
    }
  }

  void branch_into(const std::string &result, const Expr &e) {
    ++indent_;
    std::string v = lower_expr(e);
    if (sema_.type_of(e).is_string())
      emit("__builtin_memcpy(" + result + ", " + v + ", " + std::to_string(sema_.type_of(e).size) +
           ");");
    else
      emit(assignment(result, v, sema_.type_of(e)));
    --indent_;
  }

  static std::string c_string(const std::string &s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20 || c >= 0x7f) {
        char buf[8];
        snprintf(buf, sizeof(buf), "\\%03o", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    return out + "\"";
  }

  // `@m[k] = count()` and the like: the call's arguments folded into this CPU's slot.
  void lower_aggregation(const ast::Map &m, const ast::Call &call) {
    const Type &value = sema_.maps.at(m.name).value;
    std::vector<std::string> args;
    if (!call.args.empty()) args.push_back("(s64)" + lower_expr(*call.args[0]));
    std::string key = map_key(m);
    lower_aggregation_update(
        *this, map_c_name(m.name), key, value.agg, args,
        Declarations::has_buckets(value) ? Declarations::zero_array(value) : "",
        count_failure(m.name), count_entries(m.name, 1));
  }

  std::string map_read(const ast::Map &m) {
    const MapInfo &info = sema_.maps.at(m.name);
    std::string key = map_key(m);
    if (info.value.is_aggregate())
      return lower_aggregation_read(*this, Declarations::map_ref(map_c_name(m.name)), key,
                                    info.value.agg);
    std::string p = "p" + std::to_string(temp_counter_++);
    emit(decls_.leaf_type(info.value) + " *" + p + " = " + map_c_name(m.name) + ".lookup(" + key +
         ");");
    std::string v = temp(info.value);
    emit("if (" + p + ")");
    emit(info.value.is_string() ? "  __builtin_memcpy(" + v + ", *" + p + ", sizeof(" + v + "));"
                                : "  " + assignment(v, "*" + p, info.value));
    return v;
  }

  std::string lower_binary(const ast::Binary &b) {
    if (b.op == ast::BinaryOp::LogAnd || b.op == ast::BinaryOp::LogOr) {
      bool is_and = b.op == ast::BinaryOp::LogAnd;
      std::string l = lower_expr(*b.lhs);
      std::string result = temp(Type::integer());
      emit("if (" + std::string(is_and ? "" : "!") + "(" + l + ")) {");
      ++indent_;
      std::string r = lower_expr(*b.rhs);
      emit(result + " = (" + r + ") != 0;");
      --indent_;
      emit(is_and ? "}" : "} else {");
      if (!is_and) {
        emit("  " + result + " = 1;");
        emit("}");
      }
      return result;
    }
    std::string l = lower_expr(*b.lhs), r = lower_expr(*b.rhs);
    const Type &lt = sema_.type_of(*b.lhs), &rt = sema_.type_of(*b.rhs);
    if (lt.is_record() || lt.is_array()) {
      return std::string(b.op == ast::BinaryOp::Ne ? "!" : "") + "ut_bytes_equal(&" + l + ", &" +
             r + ", " + std::to_string(lt.byte_size()) + ")";
    }
    // p + n steps n of p's pointees.
    if (lt.is_pointer() && rt.is_integer() && pointer_step(lt) > 1)
      r = "(" + r + ") * " + std::to_string(pointer_step(lt));
    if (rt.is_pointer() && lt.is_integer() && pointer_step(rt) > 1)
      l = "(" + l + ") * " + std::to_string(pointer_step(rt));
    if (lt.is_string()) {
      std::string n = std::to_string(std::min(lt.size, rt.size));
      return std::string(b.op == ast::BinaryOp::Ne ? "!" : "") + "ut_streq(" + l + ", " + r + ", " +
             n + ")";
    }
    bool is_signed = sema_.type_of(b).is_signed && !lt.is_pointer() && !rt.is_pointer();
    std::string cast = is_signed ? "(s64)" : "(u64)";
    return arithmetic(b.op, cast + l, cast + r, is_signed);
  }

  std::string lower_unary(const ast::Unary &u) {
    switch (u.op) {
      case ast::UnaryOp::Neg:
        return "(-(s64)" + lower_expr(*u.operand) + ")";
      case ast::UnaryOp::LogNot:
        return "(!" + lower_expr(*u.operand) + ")";
      case ast::UnaryOp::BitNot:
        return "(~" + lower_expr(*u.operand) + ")";
      case ast::UnaryOp::Deref: {
        if (is_typed_access(u, sema_)) return lower_typed_access(*this, u);
        std::string address = lower_expr(*u.operand);
        std::string v = temp(sema_.type_of(u));
        emit("bpf_probe_read_user(&" + v + ", sizeof(" + v + "), (void *)(" + address + "));");
        return v;
      }
      default:
        return lower_step(u);
    }
  }

  // ++ and --: on a variable, C's own; on a map entry, read, write back, and yield old or new.
  std::string lower_step(const ast::Unary &u) {
    bool inc = u.op == ast::UnaryOp::PreInc || u.op == ast::UnaryOp::PostInc;
    bool post = u.op == ast::UnaryOp::PostInc || u.op == ast::UnaryOp::PostDec;
    uint32_t step = pointer_step(sema_.type_of(*u.operand));  // 1, or a pointer's pointee size
    if (u.operand->kind == Expr::Kind::Variable && step == 1) {
      std::string var = lower_expr(*u.operand);
      return "(" + (post ? var + (inc ? "++" : "--") : (inc ? "++" : "--") + var) + ")";
    }
    std::string by = " " + std::string(inc ? "+" : "-") + " " + std::to_string(step) + ";";
    if (u.operand->kind == Expr::Kind::Variable) {
      std::string var = lower_expr(*u.operand);
      std::string old = temp(sema_.type_of(*u.operand));
      emit(old + " = " + var + ";");
      emit(var + " = " + old + by);
      return post ? old : var;
    }
    std::string old = lower_expr(*u.operand);
    std::string updated = temp(sema_.type_of(*u.operand));
    emit(updated + " = " + old + by);
    store(*u.operand, updated, sema_.type_of(*u.operand));
    return post ? old : updated;
  }

  const ast::Program &prog_;
  const SemanticInfo &sema_;
  ProgramPlan plan_;
  Declarations decls_{plan_, sema_};
  const AttachInfo *attach_ = nullptr;
  std::vector<Type> tuple_types_;               // tuple_N is tuple_types_[N]
  std::map<std::string, Type> variable_types_;  // the current probe's variables by C name
  std::string body_;
  int temp_counter_ = 0;
  int indent_ = 1;

  // Map for loops: the callbacks and the frames they share with their probe function.
  enum class Loop { C, Callback };  // what break and continue leave
  const ProbeInfo *probe_ = nullptr;
  // Return probes that read duration (their index in plan_.probes), for their entry probes.
  std::vector<std::pair<size_t, const AttachInfo *>> timed_calls_;
  std::string function_;                // the probe function being written
  bool bpf_writes_user_memory_ = true;  // see LowerOptions
  std::string frame_;                   // its frame, once a for loop needs one
  std::string frames_, callbacks_;
  std::string scratch_fields_;              // the probe function's per-CPU scratch slot
  uint32_t zero_block_ = 0;                 // the largest value zeroed in a scratch slot
  std::set<std::string> scratch_variables_;  // the variables that live in it
  std::string tracepoint_structs_;                     // one struct per tracepoint attached to
  std::set<std::string> tracepoint_structs_declared_;  // their names
  bool in_callback_ = false;
  std::vector<Loop> loops_;
};

}  // namespace

ProgramPlan lower(const ast::Program &prog, const SemanticInfo &sema, const LowerOptions &options) {
  return Lowerer(prog, sema, options).run();
}

}  // namespace ut::codegen
