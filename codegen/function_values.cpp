#include "codegen/function_values.h"

#include <algorithm>
#include <memory>

#include "codegen/lower_context.h"
#include "codegen/semantic.h"
#include "support/strings.h"

namespace ut::codegen {
namespace {

using Kind = ValueFacts::Kind;

// `args` or `rets`, when `e` is that identifier.
const std::string *root_name(const ast::Expr &e) {
  if (e.kind != ast::Expr::Kind::Identifier) return nullptr;
  const std::string &name = ast::as<ast::Identifier>(e).name;
  return name == "args" || name == "rets" ? &name : nullptr;
}

// A read spelled out: the root (`args`/`rets`), the value's name, and a member of it or "".
struct Path {
  std::string root;
  std::string value;
  std::string member;
  std::string text() const { return root + "." + value + (member.empty() ? "" : "." + member); }
};

std::optional<Path> path_of(const ast::Field &f) {
  if (const std::string *root = root_name(*f.base)) return Path{*root, f.name, ""};
  if (f.base->kind != ast::Expr::Kind::Field) return std::nullopt;
  const auto &inner = ast::as<ast::Field>(*f.base);
  if (const std::string *root = root_name(*inner.base)) return Path{*root, inner.name, f.name};
  return std::nullopt;
}

// The members a Go string or slice offers, as words of its header.
int header_word(Kind kind, const std::string &member) {
  if (member == "ptr") return 0;
  if (member == "len") return 1;
  if (member == "cap" && kind == Kind::GoSlice) return 2;
  return -1;
}

Type type_of_value(const ValueFacts &v) {
  switch (v.kind) {
    case Kind::Integer:
      return Type::integer(v.size * 8, v.is_signed);
    case Kind::Pointer:
      return Type::integer(64, false);
    case Kind::GoString:
      return Type::string(kMapStringSize);
    case Kind::GoSlice:
    case Kind::Unreadable:
      break;
  }
  return Type::none();
}

std::string names_of(const std::vector<ValueFacts> &values) {
  std::string list;
  for (const ValueFacts &v : values) list += (list.empty() ? "" : ", ") + v.name;
  return list;
}

// The value `path` names among `values` (by name, or for results also by position).
const ValueFacts *find_value(const std::vector<ValueFacts> &values, const Path &path) {
  for (const ValueFacts &v : values)
    if (v.name == path.value) return &v;
  bool index = !path.value.empty() && std::all_of(path.value.begin(), path.value.end(), ::isdigit);
  if (index && path.root == "rets" && std::stoul(path.value) < values.size())
    return &values[std::stoul(path.value)];
  return nullptr;
}

std::string wildcard(const AttachInfo &a) {
  return a.name + " is a wildcard: its functions' parameters differ";
}

// Why `a` cannot have `path` read at all (its kind, its place); empty when it can.
std::string refusal(const Path &path, const AttachInfo &a) {
  bool entry = a.kind == ProbeKind::Uprobe;
  bool ret = a.kind == ProbeKind::Uretprobe;
  if (path.root == "args" && !entry) {
    return ret ? "args are the parameters at a function's entry, and " + a.name +
                     " is a return probe" + (a.binary_facts.go ? " (rets.NAME reads results)" : "")
               : std::string("args can only be used in uprobes and tracepoint probes");
  }
  if (path.root == "rets" && !ret) return "rets are a function's results, read in return probes";
  if (path.root == "rets" && !a.binary_facts.go)
    return "rets are a Go function's results; " + a.binary + " is not a Go program (use retval)";
  if (a.address || a.symbol_offset != 0)
    return "parameters are known at a function's entry only, and " + a.name + " is not one";
  if (a.binary.find_first_of("*?[") != std::string::npos) return wildcard(a);
  return "";
}

}  // namespace

bool is_function_value(const ast::Field &f) {
  return path_of(f).has_value();
}

Type check_function_value(const ast::Field &f, std::vector<AttachInfo> &attach_points,
                          BinaryCatalog *catalog, Diagnostics &diags) {
  Path path = *path_of(f);
  Type result;
  const AttachInfo *first = nullptr;
  for (AttachInfo &a : attach_points) {
    if (std::string why = refusal(path, a); !why.empty()) {
      diags.error(f.range, path.text() + ": " + why);
      return Type::none();
    }
    if (!a.function) {
      if (!catalog) {
        diags.error(f.range, path.text() + ": the traced files are not known here");
        return Type::none();
      }
      auto facts = catalog->function(a.binary, a.symbol);
      if (!facts && a.symbol.find_first_of("*?") != std::string::npos) {
        // Not a function of that name (Go's `(*T).m` is one), so a pattern.
        diags.error(f.range, path.text() + ": " + wildcard(a));
        return Type::none();
      }
      if (!facts) {
        diags.error(f.range, path.text() + " in " + a.name + ": " + facts.error().message())
            .hint("args and rets need the function's DWARF debug info (build with -g)");
        return Type::none();
      }
      a.function = std::make_shared<const FunctionFacts>(std::move(*facts));
    }
    const std::vector<ValueFacts> &values =
        path.root == "args" ? a.function->params : a.function->results;
    const ValueFacts *v = find_value(values, path);
    if (!v) {
      auto &d = diags.error(f.range, a.symbol + " has no " +
                                         (path.root == "args" ? "parameter" : "result") + " '" +
                                         path.value + "'");
      std::vector<std::string> names;
      for (const ValueFacts &each : values) names.push_back(each.name);
      if (std::string near = nearest_name(path.value, names); !near.empty())
        d.hint("did you mean '" + near + "'?");
      else if (!names.empty())
        d.hint(std::string(path.root == "args" ? "its parameters are " : "its results are ") +
               names_of(values));
      return Type::none();
    }
    std::string what = path.root + "." + path.value + " (" + v->type_name + ")";
    if (v->kind == Kind::Unreadable) {
      diags.error(f.range, what + " cannot be read: " + v->unreadable);
      return Type::none();
    }
    Type t;
    if (path.member.empty()) {
      t = type_of_value(*v);
      if (v->kind == Kind::GoSlice) {
        diags.error(f.range, what + " is a Go slice: read " + path.text() + ".len, .cap or .ptr");
        return Type::none();
      }
    } else if (v->kind == Kind::GoString || v->kind == Kind::GoSlice) {
      int word = header_word(v->kind, path.member);
      if (word < 0) {
        diags.error(f.range, what + " has no member '" + path.member + "'")
            .hint(v->kind == Kind::GoString ? "a Go string has ptr and len"
                                            : "a Go slice has ptr, len and cap");
        return Type::none();
      }
      t = word == 0 ? Type::integer(64, false) : Type::integer();
    } else {
      auto member = std::find_if(v->members.begin(), v->members.end(),
                                 [&](const ValueFacts &m) { return m.name == path.member; });
      if (member == v->members.end()) {
        auto &d = diags.error(f.range, v->members.empty()
                                           ? what + " is not a pointer to a struct"
                                           : what + " points to no member '" + path.member + "'");
        if (!v->members.empty()) d.hint("its members are " + names_of(v->members));
        return Type::none();
      }
      if (member->kind == Kind::Unreadable || member->kind == Kind::GoSlice) {
        diags.error(f.range, path.text() + " (" + member->type_name + ") cannot be read: " +
                                 (member->unreadable.empty() ? "utrace reads a slice's members "
                                                               "only where it is a parameter"
                                                             : member->unreadable));
        return Type::none();
      }
      t = type_of_value(*member);
    }
    if (!first) {
      first = &a;
      result = t;
    } else if (t != result) {
      diags.error(f.range, path.text() + " is " + result.str() + " in " + first->name + " but " +
                               t.str() + " in " + a.name);
      return Type::none();
    }
  }
  return result;
}

namespace {

// Word `n` (8 bytes) of `v`, a parameter or result: its register, or the stack.
std::string word(LowerContext &lc, const ValueFacts &v, size_t n) {
  if (n < v.registers.size()) return "ctx->" + v.registers[n];
  std::string w = lc.temp(Type::integer(64, false));
  lc.emit("bpf_probe_read_user(&" + w + ", sizeof(" + w + "), (void *)(PT_REGS_SP(ctx) + " +
          std::to_string(v.offset + static_cast<int64_t>(8 * n)) + "));");
  return w;
}

// A Go string of `length` bytes at `pointer` as a C string.
std::string go_string(LowerContext &lc, const std::string &pointer, const std::string &length) {
  std::string s = lc.temp(Type::string(kMapStringSize));
  lc.emit("ut_go_string(" + s + ", " + pointer + ", " + length + ");");
  return s;
}

}  // namespace

std::string lower_function_value(LowerContext &lc, const ast::Field &f) {
  Path path = *path_of(f);
  const FunctionFacts &facts = *lc.attach().function;
  const ValueFacts &v = *find_value(path.root == "args" ? facts.params : facts.results, path);
  const Type &t = lc.sema().type_of(f);
  if (path.member.empty()) {
    if (v.kind == Kind::GoString) return go_string(lc, word(lc, v, 0), word(lc, v, 1));
    return "((" + t.c_type() + ")" + word(lc, v, 0) + ")";
  }
  if (v.kind == Kind::GoString || v.kind == Kind::GoSlice)
    return "((" + t.c_type() + ")" + word(lc, v, header_word(v.kind, path.member)) + ")";
  // A member of the struct the value points to, read from the traced process's memory.
  const ValueFacts &m = *std::find_if(v.members.begin(), v.members.end(),
                                      [&](const ValueFacts &each) { return each.name == path.member; });
  std::string address = "(" + word(lc, v, 0) + " + " + std::to_string(m.offset) + ")";
  if (m.kind == Kind::GoString) {
    std::string pointer = lc.temp(Type::integer(64, false));
    std::string length = lc.temp(Type::integer(64, false));
    lc.emit("bpf_probe_read_user(&" + pointer + ", 8, (void *)" + address + ");");
    lc.emit("bpf_probe_read_user(&" + length + ", 8, (void *)(" + address + " + 8));");
    return go_string(lc, pointer, length);
  }
  std::string value = lc.temp(t);
  uint32_t size = m.kind == Kind::Integer ? m.size : 8;
  lc.emit("bpf_probe_read_user(&" + value + ", " + std::to_string(size) + ", (void *)" +
          address + ");");
  return value;
}

}  // namespace ut::codegen
