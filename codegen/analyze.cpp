// Type checking and resolution. Maps are typed by their first assignment anywhere in the script,
// so a first pass collects map types quietly and a second pass checks and reports.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <functional>

#include "codegen/builtins.h"
#include "codegen/function_values.h"
#include "codegen/probe_kinds.h"
#include "codegen/semantic.h"
#include "codegen/type_lookup.h"
#include "support/strings.h"

namespace ut::codegen {

const Type &SemanticInfo::type_of(const ast::Expr &e) const {
  static const Type kNone;
  auto it = types.find(&e);
  return it == types.end() ? kNone : it->second;
}

namespace {

using ast::Expr;
using ast::Stmt;

class Analyzer {
 public:
  Analyzer(SemanticInfo &sema, Diagnostics &diags, const AnalyzeOptions &options)
      : sema_(sema), diags_(diags), options_(options),
        types_(options.c_definitions, options.binaries) {}

  void run(const ast::Program &prog) {
    for (const ast::Probe *probe : prog.probes) {
      ProbeInfo info;
      info.probe = probe;
      bool left_out = false;  // an attach point that matched nothing, under --missing-probes=warn
      for (const ast::AttachPoint *ap : probe->attach_points) {
        const ast::AttachPoint *expanded = expand_params(*ap);
        if (!expanded) continue;
        if (auto a = parse_attach_point(*expanded, diags_)) {
          a->node = ap;
          if (a->kind == ProbeKind::Kprobe || a->kind == ProbeKind::Kretprobe) {
            refuse_kernel_probe(*a);
            continue;
          }
          if (a->kind == ProbeKind::Tracepoint) {
            auto matched =
                expand_tracepoints(*a, options_.tracepoints, diags_, options_.missing_probes_warn);
            left_out = left_out || matched.empty();
            for (AttachInfo &t : matched) info.attach_points.push_back(std::move(t));
            continue;
          }
          if ((a->kind == ProbeKind::Uprobe || a->kind == ProbeKind::Uretprobe) &&
              options_.binaries) {
            if (auto facts = options_.binaries->facts(a->binary)) a->binary_facts = *facts;
          }
          info.attach_points.push_back(*a);
        }
      }
      if (left_out && info.attach_points.empty() && !diags_.has_errors()) continue;
      sema_.probes.push_back(std::move(info));
    }

    // Pass 1 fixes map types; pass 2 checks everything with them known.
    // A map may be read before (or in) its first assignment, as in `@n = @n + 1`: while
    // collecting, an unknown map reads as an integer.
    Diagnostics quiet;
    collecting_ = true;
    check_all(quiet);
    collecting_ = false;
    sema_.types.clear();
    sema_.call_formats.clear();
    sema_.formats.clear();
    check_all(diags_);
  }

 private:
  // utrace traces user space; on this project's kernel there are no kprobes at all.
  void refuse_kernel_probe(const AttachInfo &a) {
    std::string kind = a.kind == ProbeKind::Kprobe ? "kprobe" : "kretprobe";
    auto &d =
        options_.kernel_has_kprobes
            ? diags_.error(a.node->range, a.name +
                                              ": kernel probes are not supported: utrace traces "
                                              "user-space programs")
            : diags_.error(a.node->range, a.name +
                                              ": this kernel has no kprobe support "
                                              "(it was built without CONFIG_KPROBES), "
                                              "so " +
                                              kind + " probes cannot attach");
    d.hint("trace a user-space function with uprobe:BINARY:FUNCTION");
  }

  // The attach point with `$N` replaced by positional parameters; null after reporting a missing
  // one.
  const ast::AttachPoint *expand_params(const ast::AttachPoint &ap) {
    if (ap.text.find('$') == std::string::npos) return &ap;
    auto copy = std::make_unique<ast::AttachPoint>(ap);
    for (std::string &part : copy->parts) {
      std::string out;
      for (size_t i = 0; i < part.size(); ++i) {
        size_t j = i + 1;
        while (j < part.size() && isdigit(static_cast<unsigned char>(part[j]))) ++j;
        if (part[i] != '$' || j == i + 1) {
          out += part[i];
          continue;
        }
        std::string digits = part.substr(i + 1, j - i - 1);
        size_t n = digits.size() > 6 ? SIZE_MAX : std::stoul(digits);
        if (n == 0 || n > sema_.params.size()) {
          diags_.error(ap.range, "attach point uses " + part.substr(i, j - i) + " but " +
                                     std::to_string(sema_.params.size()) +
                                     " positional parameter(s) were given");
          return nullptr;
        }
        out += sema_.params[n - 1];
        i = j - 1;
      }
      part = out;
    }
    expanded_.push_back(std::move(copy));
    return expanded_.back().get();
  }

  void check_all(Diagnostics &diags) {
    out_ = &diags;
    failed_variables_.clear();
    for (ProbeInfo &p : sema_.probes) {
      probe_ = &p;
      p.variables.clear();
      scopes_.clear();
      loop_depth_ = 0;
      map_loop_depth_ = 0;
      if (p.probe->predicate) {
        Type t = check(*p.probe->predicate);
        if (!t.is_none() && !t.is_scalar())
          error(p.probe->predicate->range, "invalid predicate: " + t.str() + " is not a condition");
      }
      check_stmt(*p.probe->body);
    }
  }

  Diagnostic &error(const Range &r, std::string msg) { return out_->error(r, std::move(msg)); }

  // Every kind of attach point the current probe has: a builtin must suit all of them.
  ProbeMask probe_kinds() const {
    ProbeMask kinds = 0;
    for (const AttachInfo &a : probe_->attach_points) kinds |= mask(a.kind);
    return kinds;
  }

  bool has_tracepoint() const { return (probe_kinds() & mask(ProbeKind::Tracepoint)) != 0; }

  // ---- statements --------------------------------------------------------------------------

  void check_stmt(const Stmt &s) {
    switch (s.kind) {
      case Stmt::Kind::Expr:
        check(*ast::as<ast::ExprStmt>(s).expr);
        break;
      case Stmt::Kind::Assign:
        check_assign(ast::as<ast::Assign>(s));
        break;
      case Stmt::Kind::Block:
        scopes_.emplace_back();
        for (const Stmt *st : ast::as<ast::Block>(s).stmts) check_stmt(*st);
        scopes_.pop_back();
        break;
      case Stmt::Kind::Let:
        check_let(ast::as<ast::Let>(s));
        break;
      case Stmt::Kind::For:
        check_for(ast::as<ast::For>(s));
        break;
      case Stmt::Kind::If: {
        const auto &i = ast::as<ast::If>(s);
        check_condition(*i.cond, "if");
        check_stmt(*i.then_block);
        if (i.else_stmt) check_stmt(*i.else_stmt);
        break;
      }
      case Stmt::Kind::While: {
        const auto &w = ast::as<ast::While>(s);
        check_condition(*w.cond, "while");
        ++loop_depth_;
        check_stmt(*w.body);
        --loop_depth_;
        break;
      }
      case Stmt::Kind::Unroll: {
        const auto &u = ast::as<ast::Unroll>(s);
        if (auto n = constant_integer(*u.count, sema_); !n) {
          error(u.count->range, "unroll count must be an integer literal");
        } else if (*n < 1 || *n > 100) {
          error(u.count->range, "unroll count must be between 1 and 100");
        }
        check_stmt(*u.body);
        break;
      }
      case Stmt::Kind::Break:
      case Stmt::Kind::Continue:
        if (loop_depth_ == 0)
          error(s.range, std::string(s.kind == Stmt::Kind::Break ? "break" : "continue") +
                             " used outside of a loop");
        break;
      case Stmt::Kind::Return:
      case Stmt::Kind::Error:
        break;
    }
  }

  void check_condition(const Expr &cond, const char *what) {
    Type t = check(cond);
    if (!t.is_none() && !t.is_scalar())
      error(cond.range, std::string("invalid condition in ") + what + "(): " + t.str());
  }

  void check_assign(const ast::Assign &a) {
    // `@m[k] = count()`: the one place an aggregation may appear.
    bool aggregation_target = a.target->kind == Expr::Kind::Map && !a.compound;
    aggregation_allowed_ = aggregation_target;
    size_t reported = out_->all().size();
    Type value = check(*a.value);
    aggregation_allowed_ = false;
    bool call = a.value->kind == Expr::Kind::Call || a.value->kind == Expr::Kind::Ternary;
    if (value.is_none() && call && out_->all().size() == reported) {
      // printf(), exit() and the like do something and give nothing to keep.
      error(a.value->range, "this gives no value to assign");
      if (a.target->kind == Expr::Kind::Variable && !a.compound)  // its uses are not reported
        assign_variable(ast::as<ast::Variable>(*a.target), value, false);
      return;
    }
    if (a.compound && !value.is_none() && !value.is_integer()) {
      error(a.value->range,
            std::string("'") + ast::spelling(a.op) + "=' needs an integer, not " + value.str());
      return;
    }
    if (a.target->kind != Expr::Kind::Map && a.target->kind != Expr::Kind::Variable) {
      check_memory_write(a, value);
      return;
    }
    if (!has_size(value, a.value->range)) return;
    if (a.compound && a.target->kind == Expr::Kind::Map &&
        !aggregation_writable(ast::as<ast::Map>(*a.target), a.range))
      return;
    if (a.target->kind == Expr::Kind::Map) {
      assign_map(ast::as<ast::Map>(*a.target), value, a.compound);
    } else {
      assign_variable(ast::as<ast::Variable>(*a.target), value, a.compound);
    }
  }

  // `*ADDRESS = value`: a write into the memory of the process that hit the probe
  // (bpf_probe_write_user), with --unsafe only, of an integer the size of the pointee.
  void check_memory_write(const ast::Assign &a, const Type &value) {
    bool deref = a.target->kind == Expr::Kind::Unary &&
                 ast::as<ast::Unary>(*a.target).op == ast::UnaryOp::Deref;
    if (!deref) {
      error(a.target->range,
            "cannot assign to this: only maps, variables and *ADDRESS (with --unsafe) take a "
            "value");
      return;
    }
    if (!options_.unsafe) {
      error(a.target->range,
            "writing to the traced program's memory is unsafe: it changes what the program does")
          .hint("run utrace with --unsafe to allow it");
      return;
    }
    if ((probe_kinds() & ~kUprobes) != 0) {
      error(a.target->range, "memory can only be written in uprobes and uretprobes");
      return;
    }
    Type target = check(*a.target);
    if (target.is_none() || value.is_none()) return;
    if (!target.is_integer()) {
      error(a.target->range, "only integers can be written to memory, not " + target.str());
      return;
    }
    if (!value.is_integer()) {
      error(a.value->range, "only an integer can be written to memory, not " + value.str());
      return;
    }
    sema_.writes_user_memory = true;
  }

  // The stored type of an integer is its 64-bit form: maps and variables hold s64 or u64.
  static Type storage_type(const Type &t) {
    return t.is_integer() ? Type::integer(64, t.is_signed) : t;
  }

  // What a map stores: integers as 64-bit, and every string (also inside tuples) in the same
  // room, so that "a" and "abc" are values of one map.
  static Type map_value_type(const Type &t) {
    if (t.is_string()) return Type::string(kMapStringSize);
    if (t.kind != TypeKind::Tuple) return storage_type(t);
    Type out = t;
    for (Type &e : out.elements) e = map_value_type(e);
    return out;
  }

  void assign_map(const ast::Map &m, const Type &value, bool compound) {
    std::vector<Type> keys = check_keys(m);
    if (!value.is_none() && !value.is_scalar() && !value.is_aggregate() && !value.is_string() &&
        !value.is_symbolic() && value.kind != TypeKind::Tuple && !value.is_record() &&
        !value.is_array()) {
      error(m.range, "maps holding " + value.str() + " values are not supported yet");
      return;
    }
    auto it = sema_.maps.find(m.name);
    if (it == sema_.maps.end()) {
      if (value.is_none()) return;
      Type stored = compound ? Type::integer() : map_value_type(value);
      sema_.maps[m.name] = MapInfo{m.name, keys, stored};
      sema_.types[&m] = stored;
      return;
    }
    MapInfo &info = it->second;
    check_key_types(m, info, keys);
    sema_.types[&m] = info.value;
    if (value.is_none() || compound) return;
    if (!assignable(info.value, map_value_type(value))) {
      error(m.range, "Type mismatch for " + m.name + ": trying to assign value of type '" +
                         value.str() + "' when map already contains a value of type '" +
                         info.value.str() + "'");
    }
  }

  // ---- scratch variables -------------------------------------------------------------------

  // The declaration `name` refers to here, searching the enclosing blocks outwards.
  VariableInfo *lookup(const std::string &name) {
    for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
      auto it = scope->find(name);
      if (it != scope->end()) return &probe_->variables[it->second];
    }
    return nullptr;
  }

  VariableInfo &declare(const ast::Variable &v, const Type &type) {
    size_t same_name = 0;
    for (const VariableInfo &info : probe_->variables) same_name += info.name == v.name;
    std::string c_name = "var_" + v.name.substr(1);
    if (same_name > 0) c_name += "_" + std::to_string(same_name);
    Type stored = type;
    if (auto w = widest_strings_.find({probe_index(), c_name});
        stored.is_string() && w != widest_strings_.end() && w->second > stored.size)
      stored.size = w->second;  // found longer by the first pass
    probe_->variables.push_back({v.name, c_name, stored});
    scopes_.back()[v.name] = probe_->variables.size() - 1;
    return probe_->variables.back();
  }

  void bind(const ast::Variable &v, const VariableInfo &info) {
    sema_.variable_names[&v] = info.c_name;
    sema_.types[&v] = info.type;
  }

  void assign_variable(const ast::Variable &v, const Type &value, bool compound) {
    VariableInfo *info = lookup(v.name);
    if (!info) {
      if (compound) {
        error(v.range, "Undefined or undeclared variable: " + v.name);
        return;
      }
      VariableInfo &info = declare(v, storage_type(value));
      // A value already reported as wrong: uses of the variable are not reported again.
      if (value.is_none()) failed_variables_.insert({probe_index(), info.c_name});
      bind(v, info);
      return;
    }
    if (info->type.is_none() && !compound) info->type = storage_type(value);  // `let $x;` first use
    if (!compound && info->type.is_string() && value.is_string() && value.size > info->type.size) {
      // `$s = ""; ... $s = "hi";`: the variable takes the longest string assigned to it.
      info->type.size = value.size;
      widest_strings_[{probe_index(), info->c_name}] = value.size;
    }
    bind(v, *info);
    if (!value.is_none() && !compound && !assignable(info->type, value)) {
      error(v.range, "Type mismatch for " + v.name + ": trying to assign value of type '" +
                         value.str() + "' when variable already contains a value of type '" +
                         info->type.str() + "'");
    }
  }

  void check_let(const ast::Let &l) {
    Type value = l.value ? check(*l.value) : Type::none();
    if (lookup(l.var->name)) {
      error(l.var->range, "Variable " + l.var->name + " is already declared in this scope");
      return;
    }
    bind(*l.var, declare(*l.var, storage_type(value)));
  }

  void check_for(const ast::For &f) {
    if (!f.end) {
      check_for_map(f);
      return;
    }
    for (const Expr *bound : {f.begin, f.end}) {
      Type t = check(*bound);
      if (!t.is_none() && !t.is_integer())
        error(bound->range, "a for range takes integers, not " + t.str());
    }
    if (lookup(f.var->name))
      error(f.var->range, "Variable " + f.var->name + " is already declared in this scope");
    scopes_.emplace_back();
    bind(*f.var, declare(*f.var, Type::integer()));
    ++loop_depth_;
    check_stmt(*f.body);
    --loop_depth_;
    scopes_.pop_back();
  }

  // `for ($kv : @m)`: $kv is each entry's (key, value) in turn. The body runs as a BPF callback of
  // bpf_for_each_map_elem(), which has no probe registers.
  void check_for_map(const ast::For &f) {
    Type kv = Type::none();
    if (f.begin->kind != Expr::Kind::Map || !ast::as<ast::Map>(*f.begin).keys.empty()) {
      error(f.begin->range, "a for loop takes a range (a..b) or a whole map (@name)");
    } else {
      kv = map_entry_type(ast::as<ast::Map>(*f.begin));
    }
    if (lookup(f.var->name))
      error(f.var->range, "Variable " + f.var->name + " is already declared in this scope");
    scopes_.emplace_back();
    bind(*f.var, declare(*f.var, kv));
    ++loop_depth_;
    ++map_loop_depth_;
    check_stmt(*f.body);
    --map_loop_depth_;
    --loop_depth_;
    scopes_.pop_back();
  }

  // The (key, value) tuple of an entry of `m`; keys of a multi-key map are a tuple themselves.
  Type map_entry_type(const ast::Map &m) {
    auto it = sema_.maps.find(m.name);
    if (it == sema_.maps.end()) {
      if (!collecting_) error(m.range, "Undefined map: " + m.name);
      return Type::none();
    }
    const MapInfo &info = it->second;
    if (info.keys.empty()) {
      error(m.range, "a for loop needs a map with keys; " + m.name + " has none");
      return Type::none();
    }
    if (info.value.is_aggregate() &&
        (info.value.agg.kind == AggKind::Stats || info.value.agg.kind == AggKind::Hist ||
         info.value.agg.kind == AggKind::Lhist)) {
      error(m.range, "a for loop cannot iterate over " + m.name + ": it holds a " +
                         agg_name(info.value.agg.kind) + "() aggregation");
      return Type::none();
    }
    Type key;
    if (info.keys.size() == 1) {
      key = info.keys[0];
    } else {
      key.kind = TypeKind::Tuple;
      key.elements = info.keys;
    }
    Type kv;
    kv.kind = TypeKind::Tuple;
    kv.elements = {key, read_type(m, info.value)};
    sema_.types[&m] = info.value;
    sema_.iterated_maps.insert(m.name);
    return kv;
  }

  static bool assignable(const Type &stored, const Type &value) {
    if (stored.is_integer() && value.is_scalar()) return true;
    if (stored.is_pointer() && value.is_integer()) return true;
    if (stored.is_pointer() && value.is_pointer()) return true;
    if (stored.is_string() && value.is_string()) return value.size <= stored.size;
    return stored == value;
  }

  std::vector<Type> check_keys(const ast::Map &m) {
    std::vector<Type> keys;
    for (const Expr *k : m.keys) {
      Type t = check(*k);
      if (!t.is_none() && !t.is_scalar() && !t.is_string() && !t.is_symbolic() &&
          t.kind != TypeKind::Tuple && !t.is_record() && !t.is_array()) {
        error(k->range, "map keys of type " + t.str() + " are not supported yet");
      }
      // Strings in keys (also inside tuples) all take the same room, so that "a" and "abc" are
      // keys of one map.
      if (!has_size(t, k->range)) t = Type::none();
      keys.push_back(map_value_type(t));
    }
    return keys;
  }

  void check_key_types(const ast::Map &m, const MapInfo &info, const std::vector<Type> &keys) {
    bool same = keys.size() == info.keys.size();
    // Integer keys of any width mix; a string key needs a string; tuples must match exactly.
    auto fits = [](const Type &used, const Type &declared) {
      if (used.is_none()) return true;
      if (used.kind == TypeKind::Tuple || declared.kind == TypeKind::Tuple) return used == declared;
      return used.is_string() == declared.is_string();
    };
    for (size_t i = 0; same && i < keys.size(); ++i) same = fits(keys[i], info.keys[i]);
    if (same) return;
    auto list = [](const std::vector<Type> &types) {
      std::string s = "[";
      for (size_t i = 0; i < types.size(); ++i) s += (i ? ", " : "") + types[i].str();
      return s + "]";
    };
    error(m.range, "Argument mismatch for " + m.name + ": trying to access with arguments: " +
                       list(keys) + " when map expects arguments: " + list(info.keys));
  }

  // ---- expressions -------------------------------------------------------------------------

  Type check(const Expr &e) {
    Type t = check_expr(e);
    sema_.types[&e] = t;
    return t;
  }

  Type check_expr(const Expr &e) {
    switch (e.kind) {
      case Expr::Kind::Integer:
        return ast::as<ast::Integer>(e).value > INT64_MAX ? Type::integer(64, false)
                                                          : Type::integer();
      case Expr::Kind::String:
        return Type::string(static_cast<uint32_t>(ast::as<ast::String>(e).value.size() + 1));
      case Expr::Kind::Identifier:
        return check_identifier(ast::as<ast::Identifier>(e));
      case Expr::Kind::Variable: {
        const auto &v = ast::as<ast::Variable>(e);
        VariableInfo *info = lookup(v.name);
        if (!info) {
          error(v.range, "Undefined or undeclared variable: " + v.name);
          return Type::none();
        }
        if (info->type.is_none()) {
          if (!failed_variables_.count({probe_index(), info->c_name}))
            error(v.range, "Variable " + v.name + " is used before it is assigned a value");
          return Type::none();
        }
        sema_.variable_names[&v] = info->c_name;
        return info->type;
      }
      case Expr::Kind::Map: {
        const auto &m = ast::as<ast::Map>(e);
        std::vector<Type> keys = check_keys(m);
        auto it = sema_.maps.find(m.name);
        if (it == sema_.maps.end()) {
          if (collecting_) return Type::integer();
          error(m.range, "Undefined map: " + m.name);
          return Type::none();
        }
        check_key_types(m, it->second, keys);
        return read_type(m, it->second.value);
      }
      case Expr::Kind::Call: {
        Type t = check_call(ast::as<ast::Call>(e));
        if (t.is_aggregate() && !aggregation_allowed_) {
          error(e.range, std::string(agg_name(t.agg.kind)) +
                             "() must be assigned to a map: @name = " + agg_name(t.agg.kind) +
                             "(...)");
          return Type::none();
        }
        return t;
      }
      case Expr::Kind::Binary:
        return check_binary(ast::as<ast::Binary>(e));
      case Expr::Kind::Unary:
        return check_unary(ast::as<ast::Unary>(e));
      case Expr::Kind::Ternary: {
        const auto &t = ast::as<ast::Ternary>(e);
        check_condition(*t.cond, "?:");
        Type a = check(*t.then_expr), b = check(*t.else_expr);
        if (a.is_none() || b.is_none()) return Type::none();
        if (a.is_scalar() && b.is_scalar()) return Type::integer();
        if (a.kind != b.kind) {
          error(e.range, "Ternary operator must return the same type: have '" + a.str() +
                             "' and '" + b.str() + "'");
          return Type::none();
        }
        return a.is_string() ? Type::string(std::max(a.size, b.size)) : a;
      }
      case Expr::Kind::Cast: {
        const auto &c = ast::as<ast::Cast>(e);
        Type operand = check(*c.operand);
        Type target =
            types_.named(c.type_name, c.pointer_depth, probe_->attach_points, *out_, e.range);
        if (target.is_none()) return target;
        if (target.is_record() || target.is_array()) {
          error(e.range, "cannot cast to " + target.str() +
                             ": casts give integers and pointers, as in (" + target.str() + " *)");
          return Type::none();
        }
        if (!operand.is_none() && !operand.is_scalar()) {
          error(c.operand->range,
                "Casts are not supported for type: \"" + operand.str() + "\"");
          return Type::none();
        }
        return target;
      }
      case Expr::Kind::Positional:
        return check_positional(ast::as<ast::Positional>(e));
      case Expr::Kind::PositionalCount:
        return Type::integer();
      case Expr::Kind::Tuple: {
        Type t;
        t.kind = TypeKind::Tuple;
        for (const Expr *el : ast::as<ast::Tuple>(e).elements) {
          Type et = check(*el);
          if (et.is_none() || !has_size(et, el->range)) return Type::none();
          t.elements.push_back(et);
        }
        return t;
      }
      case Expr::Kind::Field:
        return check_field(ast::as<ast::Field>(e));
      case Expr::Kind::Index:
        return check_index(ast::as<ast::Index>(e));
      case Expr::Kind::Sizeof: {
        const auto &s = ast::as<ast::Sizeof>(e);
        Type t;
        if (!s.tuple_types.empty()) {
          std::vector<Type> elements;
          for (const auto &[name, depth] : s.tuple_types) {
            elements.push_back(types_.named(name, depth, probe_->attach_points, *out_, e.range));
            if (elements.back().is_none()) return Type::none();
          }
          t = Type::tuple(std::move(elements));
        } else if (!s.operand) {
          t = types_.named(s.type_name, s.pointer_depth, probe_->attach_points, *out_, e.range);
        } else if (s.operand->kind == Expr::Kind::Identifier &&
                   !find_variable(ast::as<ast::Identifier>(*s.operand).name)) {
          // sizeof(point_t): a typedef's name parses as an identifier.
          t = types_.named(ast::as<ast::Identifier>(*s.operand).name, 0, probe_->attach_points,
                           *out_, s.operand->range);
        } else {
          t = check(*s.operand);
        }
        if (t.is_none()) return t;
        sema_.constants[&e] = t.byte_size();
        return Type::integer();
      }
    }
    return Type::none();
  }

  // A map named, not read, by a function (`print(@m)`, `delete(@m[k])`): its stored type.
  Type check_map_ref(const ast::Map &m) {
    std::vector<Type> keys = check_keys(m);
    auto it = sema_.maps.find(m.name);
    if (it == sema_.maps.end()) {
      if (!collecting_) error(m.range, "Undefined map: " + m.name);
      return Type::none();
    }
    if (!m.keys.empty()) check_key_types(m, it->second, keys);
    sema_.types[&m] = it->second.value;
    return it->second.value;
  }

  // ++, -- and `op=` change a map's value in place, which an aggregation's per-CPU value is not.
  bool aggregation_writable(const ast::Map &m, const Range &where) {
    auto it = sema_.maps.find(m.name);
    if (it == sema_.maps.end() || !it->second.value.is_aggregate()) return true;
    const char *agg = agg_name(it->second.value.agg.kind);
    error(where, m.name + " holds a " + agg + "() aggregation: it only changes by " + agg +
                     "(...), not by ++, -- or op=");
    return false;
  }

  // What reading a map yields. count, sum, min, max and avg read as their merged integer value
  // (newer bpftrace's rule); stats, hist and lhist can only be printed.
  Type read_type(const ast::Map &m, const Type &stored) {
    Type t = codegen::read_type(stored);
    if (t.is_none() && stored.is_aggregate())
      error(m.range, m.name + " holds a " + agg_name(stored.agg.kind) +
                         "() aggregation, which can be printed but not read in an expression");
    return t;
  }

  // A positional parameter used as a number: missing ones are 0, others must be numeric.
  Type check_positional(const ast::Positional &p) {
    if (p.index <= sema_.params.size() && !numeric_param(sema_.params[p.index - 1])) {
      error(p.range, "$" + std::to_string(p.index) + " used numerically but given \"" +
                         sema_.params[p.index - 1] + "\". Try using str($" +
                         std::to_string(p.index) + ").");
      return Type::none();
    }
    return Type::integer();
  }

  Type check_identifier(const ast::Identifier &id) {
    if (id.name == "args" && has_tracepoint()) {
      error(id.range, "args is a tracepoint's record: read one of its fields, as in args->name");
      return Type::none();
    }
    if (id.name == "args" || id.name == "rets") {
      error(id.range, id.name + " is the function's " +
                          (id.name == "args" ? "parameters" : "results") +
                          ": read one by its name, as in " + id.name + ".name");
      return Type::none();
    }
    const BuiltinVariable *v = find_variable(id.name);
    if (!v) {
      if (auto constant = types_.constant(id.name)) {
        sema_.constants[&id] = static_cast<uint64_t>(*constant);
        return Type::integer();
      }
      auto &d = error(id.range, "Unknown identifier: '" + id.name + "'");
      if (std::string near = nearest_builtin(id.name); !near.empty())
        d.hint("did you mean '" + near + "'?");
      return Type::none();
    }
    if (v->needs_command && !options_.has_command) {
      error(id.range, std::string(v->name) + " can only be used with a command to run (-c CMD)");
      return Type::none();
    }
    if ((v->reads_context & probe_kinds()) != 0 && map_loop_depth_ > 0) {
      error(id.range, std::string(v->name) +
                          " cannot be read in the body of a for loop over a map, which runs "
                          "without the probe's registers")
          .hint("read it into a variable before the loop");
      return Type::none();
    }
    if ((v->allowed & probe_kinds()) != probe_kinds()) {
      error(id.range,
            std::string("the ") + v->name + " builtin can only be used in " + v->allowed_text);
      return Type::none();
    }
    probe_->times_calls = probe_->times_calls || v->times_calls;
    for (const AttachInfo &a : probe_->attach_points) {
      std::string why = v->unusable_at ? v->unusable_at(a) : "";
      if (why.empty()) continue;
      error(id.range, std::string(v->name) + " in " + a.name + ": " + why);
      return Type::none();
    }
    return v->type;
  }

  Type check_call(const ast::Call &call) {
    const BuiltinFunction *f = find_function(call.name);
    std::vector<Type> arg_types;
    for (const Expr *a : call.args) {
      if (f && f->map_arg && a == call.args[0] && a->kind == Expr::Kind::Map) {
        arg_types.push_back(check_map_ref(ast::as<ast::Map>(*a)));
        continue;
      }
      if (f && f->word_args && a->kind == Expr::Kind::Identifier) {
        arg_types.push_back(Type::none());  // the type rule reads the word
        continue;
      }
      if (f && f->positional_as_text && positional_text(*a, sema_)) {
        // str($1): the parameter's text, whatever it looks like; str($1 + 2) from its third
        // character, as bpftrace's pointer arithmetic on the text gives.
        Type t = Type::string(static_cast<uint32_t>(positional_text(*a, sema_)->size() + 1));
        sema_.types[a] = t;
        arg_types.push_back(t);
        continue;
      }
      arg_types.push_back(check(*a));
    }
    if (!f) {
      auto &d = error(call.name_range, "Unknown function: " + call.name);
      if (std::string near = nearest_builtin(call.name); !near.empty())
        d.hint("did you mean '" + near + "'?");
      return Type::none();
    }
    if (call.args.size() < f->min_args || call.args.size() > f->max_args) {
      std::string expected = f->min_args == f->max_args ? std::to_string(f->min_args)
                                                        : std::to_string(f->min_args) + " to " +
                                                              std::to_string(f->max_args);
      error(call.range, call.name + "() takes " + expected + " argument" +
                            (f->max_args == 1 ? "" : "s") + " (" +
                            std::to_string(call.args.size()) + " provided)");
      return Type::none();
    }
    if (f->unsafe && !options_.unsafe) {
      error(call.range, call.name + "() is an unsafe function being used in safe mode")
          .hint("run utrace with --unsafe to allow it");
      return Type::none();
    }
    if (f->reads_registers && map_loop_depth_ > 0) {
      error(call.range, call.name +
                            "() cannot be used in the body of a for loop over a map, "
                            "which runs without the probe's registers")
          .hint("take it into a variable before the loop");
      return Type::none();
    }
    CallCheck c{call, arg_types, probe_kinds(), *out_, sema_, probe_->attach_points,
                options_.binaries};
    return f->check(c);
  }

  // `t.0`: an element of a tuple. (Struct fields come with DWARF types.)
  Type check_field(const ast::Field &f) {
    if (is_tracepoint_args(f) && has_tracepoint()) {
      if (map_loop_depth_ > 0) {
        error(f.range,
              "args cannot be read in the body of a for loop over a map, which runs "
              "without the tracepoint's record")
            .hint("read it into a variable before the loop");
        return Type::none();
      }
      return check_tracepoint_field(f, probe_->attach_points, *out_);
    }
    if (!has_tracepoint() && is_function_value(f)) {
      if (!function_value_readable_here(f.range)) return Type::none();
      if (!typed_value(*f.base))
        return types_.preferring_script(
            check_function_value(f, probe_->attach_points, options_.binaries, *out_));
      // args.p->x, with p's type from DWARF: read as any member below.
    }
    Type base = check(*f.base);
    if (base.is_none()) return base;
    if (base.is_record() || base.is_record_pointer()) return check_member(f, base);
    bool is_index = !f.name.empty() && std::all_of(f.name.begin(), f.name.end(), ::isdigit);
    if (base.kind != TypeKind::Tuple || !is_index || f.arrow) {
      error(f.range, "cannot access field '" + f.name + "' of a value of type " + base.str());
      return Type::none();
    }
    size_t index = std::stoul(f.name);
    if (index >= base.elements.size()) {
      error(f.range, "tuple index " + f.name + " is out of range: the tuple has " +
                         std::to_string(base.elements.size()) + " elements");
      return Type::none();
    }
    return base.elements[index];
  }

  // `s.x` or `p->x` of a struct or union, or of one it points to (either operator on either,
  // as newer bpftrace allows): the member's type.
  Type check_member(const ast::Field &f, const Type &base) {
    Type record = base.is_pointer() ? complete(base.elements[0], f.base->range) : base;
    if (record.is_none()) return record;
    std::optional<RecordField> member = record.record->find(f.name);
    if (!member) {
      auto &d = error(f.range, "Struct/union of type '" + record.str() +
                                   "' does not contain a field named '" + f.name + "'");
      std::vector<std::string> names = record.record->member_names();
      if (std::string near = nearest_name(f.name, names); !near.empty())
        d.hint("did you mean '" + near + "'?");
      else if (!names.empty())
        d.hint("its members are " + joined(names));
      return Type::none();
    }
    if (member->type.is_none()) {
      error(f.range, "member '" + f.name + "' of " + record.str() +
                         " has a type utrace cannot read (a floating-point number or a function)");
      return Type::none();
    }
    if (member->type.is_pointer()) {
      // `p->next`: the record it points to, when it is known, so that `p->next + 1` and `->`
      // on it know its size; left by name when not (an opaque struct may be passed along).
      Diagnostics quiet;
      Type pointee = types_.complete(member->type.elements[0], probe_->attach_points, quiet,
                                     f.range);
      if (!pointee.is_none()) member->type.elements[0] = pointee;
    }
    member->type = types_.preferring_script(member->type);
    sema_.members[&f] = *member;
    if (is_go_string(member->type)) {
      // A Go string member (its header: data pointer, length) reads as the text it points to.
      sema_.go_string_members.insert(&f);
      return Type::string(kMapStringSize);
    }
    return member->type;
  }

  static std::string joined(const std::vector<std::string> &names) {
    std::string out;
    for (const std::string &n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
  }

  // Go's string header as DWARF describes it: struct string { uint8 *str; int len; }.
  static bool is_go_string(const Type &t) {
    if (!t.is_record() || !t.record || t.record->name != "struct string" ||
        t.record->fields.size() != 2)
      return false;
    const auto &f = t.record->fields;
    return f[0].name == "str" && f[0].type.is_pointer() && f[1].name == "len" &&
           f[1].type.is_integer() && f[1].offset == 8;
  }

  // Whether a record or array of type `t` can be held whole: a flexible array member (`int
  // a[];`) has no size, and only its elements can be read.
  bool has_size(const Type &t, const Range &range) {
    if (!(t.is_record() || t.is_array()) || t.byte_size() > 0) return true;
    error(range, t.str() + " has no size, so it cannot be held whole: read its elements, as in " +
                     "a[i]");
    return false;
  }

  // `t` with a record known only by name (behind a pointer) looked up.
  Type complete(const Type &t, const Range &range) {
    return types_.complete(t, probe_->attach_points, *out_, range);
  }

  // Whether `e`, a function's value (`args.p`), is typed by DWARF as a pointer, a struct or an
  // array: then `->`, `.` and `[]` on it read memory by that type. Asked quietly.
  bool typed_value(const Expr &e) {
    // Go's values keep their own reading (function_values.h): strings, slices, and structs
    // passed member by member in registers.
    for (const AttachInfo &a : probe_->attach_points)
      if (a.binary_facts.go) return false;
    Diagnostics quiet;
    Diagnostics *saved = out_;
    out_ = &quiet;
    Type t = check(e);
    out_ = saved;
    return !quiet.has_errors() &&
           (t.is_pointer() || t.is_record() || t.is_array() || t.is_string());
  }

  // A function's values are in the probe's registers, which a map loop's body runs without.
  bool function_value_readable_here(const Range &range) {
    if (map_loop_depth_ == 0) return true;
    error(range,
          "a function's values cannot be read in the body of a for loop over a map, which "
          "runs without the probe's registers")
        .hint("read it into a variable before the loop");
    return false;
  }

  // `args.xs[i]`: an element of a Go slice, the only values indexed.
  Type check_index(const ast::Index &index) {
    Type i = check(*index.index);
    if (i.is_none()) return i;
    if (!i.is_integer()) {
      error(index.index->range, "an index must be an integer, not " + i.str());
      return Type::none();
    }
    if (!has_tracepoint() && is_function_element(index) && !typed_value(*index.base)) {
      if (!function_value_readable_here(index.range)) return Type::none();
      return check_function_element(index, probe_->attach_points, options_.binaries, *out_);
    }
    Type base = check(*index.base);
    if (base.is_none()) return base;
    if (base.is_array())
      return past_the_end(index, base.count, "array") ? Type::none() : base.elements[0];
    if (base.is_pointer()) return pointee(base, index.range);
    if (base.is_string())  // a char array's bytes (newer bpftrace indexes strings too)
      return past_the_end(index, base.size, "string") ? Type::none() : Type::integer(8);
    error(index.range,
          "The array index operator [] can only be used on arrays and pointers, found " +
              base.str() + ".");
    return Type::none();
  }

  // Whether `index` is a literal at or past the end of `count` elements (0: not known), which
  // is reported.
  bool past_the_end(const ast::Index &index, uint64_t count, const char *what) {
    if (index.index->kind != Expr::Kind::Integer || count == 0) return false;
    uint64_t i = ast::as<ast::Integer>(*index.index).value;
    if (i < count) return false;
    error(index.range, "the index " + std::to_string(i) + " is out of bounds for " + what +
                           " of size " + std::to_string(count));
    return true;
  }

  // What `*p` and `p[i]` read: the pointee, its record looked up. A pointer to nothing known
  // (void *) cannot be read.
  Type pointee(const Type &pointer, const Range &range) {
    Type t = complete(pointer.elements[0], range);
    if (!t.is_none() && t.byte_size() == 0) {
      error(range, "cannot read through a pointer to " + t.str() + ": it has no size");
      return Type::none();
    }
    return t;
  }

  Type check_binary(const ast::Binary &b) {
    Type l = check(*b.lhs), r = check(*b.rhs);
    if (l.is_none() || r.is_none()) return Type::none();
    bool equality = b.op == ast::BinaryOp::Eq || b.op == ast::BinaryOp::Ne;
    if (equality && l.is_string() && r.is_string()) return Type::integer();
    // Arrays and records compare byte for byte, when they are of one type.
    if (equality && (l.is_array() || l.is_record()) && l == r) return Type::integer();
    if (!l.is_scalar() || !r.is_scalar()) {
      error(b.range, std::string("Type mismatch for '") + ast::spelling(b.op) + "': comparing '" +
                         l.str() + "' with '" + r.str() + "'");
      return Type::none();
    }
    // Pointer arithmetic steps by the pointee's size, as in C.
    bool additive = b.op == ast::BinaryOp::Add || b.op == ast::BinaryOp::Sub;
    if (l.is_pointer() && additive && r.is_integer()) return l;
    if (r.is_pointer() && b.op == ast::BinaryOp::Add && l.is_integer()) return r;
    bool is_unsigned = (l.is_integer() && !l.is_signed && l.bits == 64) ||
                       (r.is_integer() && !r.is_signed && r.bits == 64) || l.is_pointer();
    return Type::integer(64, !is_unsigned);
  }

  Type check_unary(const ast::Unary &u) {
    bool is_step = u.op == ast::UnaryOp::PreInc || u.op == ast::UnaryOp::PreDec ||
                   u.op == ast::UnaryOp::PostInc || u.op == ast::UnaryOp::PostDec;
    if (is_step && u.operand->kind == Expr::Kind::Map) {
      // `@n++` on a map never assigned starts it at 0, as an int64.
      const auto &m = ast::as<ast::Map>(*u.operand);
      if (!sema_.maps.count(m.name))
        sema_.maps[m.name] = MapInfo{m.name, check_keys(m), Type::integer()};
      if (!aggregation_writable(m, u.range)) return Type::none();
    }
    Type t = check(*u.operand);
    if (t.is_none()) return t;
    switch (u.op) {
      case ast::UnaryOp::Deref:
        if (t.is_pointer()) return pointee(t, u.range);
        if (t.is_integer()) return Type::integer();
        break;
      case ast::UnaryOp::PreInc:
      case ast::UnaryOp::PreDec:
      case ast::UnaryOp::PostInc:
      case ast::UnaryOp::PostDec:
        if (t.is_integer() || t.is_pointer()) return t;  // a pointer steps by its pointee's size
        break;
      default:
        if (t.is_scalar())
          return Type::integer(64, u.op == ast::UnaryOp::BitNot ? t.is_signed : true);
        break;
    }
    error(u.range, std::string("invalid operand to '") + ast::spelling(u.op) + "': " + t.str());
    return Type::none();
  }

  SemanticInfo &sema_;
  Diagnostics &diags_;
  const AnalyzeOptions &options_;
  Diagnostics *out_ = nullptr;
  ProbeInfo *probe_ = nullptr;
  int loop_depth_ = 0;
  int map_loop_depth_ = 0;                             // inside the body of `for ($kv : @m)`
  bool collecting_ = false;                            // the quiet first pass
  bool aggregation_allowed_ = false;                   // checking the value of `@map = ...`
  std::vector<std::map<std::string, size_t>> scopes_;  // innermost last: name -> variables index
  std::vector<std::unique_ptr<ast::AttachPoint>> expanded_;
  TypeLookup types_;
  // (probe, C name) of variables whose first value was an error, in this pass.
  std::set<std::pair<size_t, std::string>> failed_variables_;
  // String variables that are assigned longer strings than their first, by (probe, C name):
  // the first pass finds them, and the second declares them that long.
  std::map<std::pair<size_t, std::string>, uint32_t> widest_strings_;

  size_t probe_index() const { return static_cast<size_t>(probe_ - sema_.probes.data()); }
};

}  // namespace

std::optional<int64_t> numeric_param(const std::string &text) {
  if (text.empty()) return std::nullopt;
  errno = 0;
  char *end = nullptr;
  long long v = strtoll(text.c_str(), &end, 0);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return v;
}

std::optional<std::string> positional_text(const ast::Expr &e, const SemanticInfo &sema) {
  if (e.kind == Expr::Kind::Positional)
    return sema.param_text(ast::as<ast::Positional>(e).index);
  if (e.kind != Expr::Kind::Binary) return std::nullopt;
  const auto &b = ast::as<ast::Binary>(e);
  if (b.op != ast::BinaryOp::Add || b.lhs->kind != Expr::Kind::Positional ||
      b.rhs->kind != Expr::Kind::Integer)
    return std::nullopt;
  std::string text = sema.param_text(ast::as<ast::Positional>(*b.lhs).index);
  return text.substr(std::min<uint64_t>(ast::as<ast::Integer>(*b.rhs).value, text.size()));
}

std::optional<uint64_t> constant_integer(const ast::Expr &e, const SemanticInfo &sema) {
  if (e.kind == Expr::Kind::Integer) return ast::as<ast::Integer>(e).value;
  if (e.kind != Expr::Kind::Positional) return std::nullopt;
  auto v = numeric_param(sema.param_text(ast::as<ast::Positional>(e).index));
  if (!v) return std::nullopt;
  return static_cast<uint64_t>(*v);
}

SemanticInfo analyze(const ast::Program &prog, Diagnostics &diags, const AnalyzeOptions &options) {
  SemanticInfo sema;
  sema.params = options.params;
  Analyzer(sema, diags, options).run(prog);
  return sema;
}

}  // namespace ut::codegen
