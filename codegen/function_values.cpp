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
      // DWARF's type where it gave one: `->`, `*` and `[]` follow it.
      return v.type.is_pointer() ? v.type : Type::integer(64, false);
    case Kind::GoString:
      return Type::string(kMapStringSize);
    case Kind::Record:
      return v.type;  // a C struct by value: its members are read by their offsets
    case Kind::GoSlice:
    case Kind::Struct:
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

// The value `path` names at attach point `a`, its facts looked up in `catalog` once and kept
// in `a`; nullptr after reporting why there is none.
const ValueFacts *lookup_value(const Path &path, AttachInfo &a, BinaryCatalog *catalog,
                               Diagnostics &diags, const Range &range) {
  if (std::string why = refusal(path, a); !why.empty()) {
    diags.error(range, path.text() + ": " + why);
    return nullptr;
  }
  if (!a.function) {
    if (!catalog) {
      diags.error(range, path.text() + ": the traced files are not known here");
      return nullptr;
    }
    auto facts = catalog->function(a.binary, a.symbol);
    if (!facts && a.symbol.find_first_of("*?") != std::string::npos) {
      // Not a function of that name (Go's `(*T).m` is one), so a pattern.
      diags.error(range, path.text() + ": " + wildcard(a));
      return nullptr;
    }
    if (!facts) {
      auto &d = diags.error(range, path.text() + " in " + a.name + ": " + facts.error().message());
      if (facts.error().message().find("overloaded") == std::string::npos)
        d.hint("args and rets need the function's DWARF debug info (build with -g)");
      return nullptr;
    }
    a.function = std::make_shared<const FunctionFacts>(std::move(*facts));
  }
  const std::vector<ValueFacts> &values =
      path.root == "args" ? a.function->params : a.function->results;
  const ValueFacts *v = find_value(values, path);
  if (!v) {
    auto &d = diags.error(range, a.symbol + " has no " +
                                     (path.root == "args" ? "parameter" : "result") + " '" +
                                     path.value + "'");
    std::vector<std::string> names;
    for (const ValueFacts &each : values) names.push_back(each.name);
    if (std::string near = nearest_name(path.value, names); !near.empty())
      d.hint("did you mean '" + near + "'?");
    else if (!names.empty())
      d.hint(std::string(path.root == "args" ? "its parameters are " : "its results are ") +
             names_of(values));
    return nullptr;
  }
  if (v->kind == Kind::Unreadable) {
    diags.error(range, path.root + "." + path.value + " (" + v->type_name +
                           ") cannot be read: " + v->unreadable);
    return nullptr;
  }
  return v;
}

// The type of reading `path` of value `v`: the value itself or one of its members.
Type type_of_path(const Path &path, const ValueFacts &v, Diagnostics &diags, const Range &range) {
  std::string what = path.root + "." + path.value + " (" + v.type_name + ")";
  if (path.member.empty()) {
    if (v.kind == Kind::GoSlice) {
      diags.error(range, what + " is a Go slice: read " + path.text() + "[i], .len, .cap or .ptr");
      return Type::none();
    }
    if (v.kind == Kind::Struct) {
      diags.error(range, what + " is a struct: read one of its members (" + names_of(v.members) +
                             "), as in " + path.text() + "." +
                             (v.members.empty() ? "name" : v.members[0].name));
      return Type::none();
    }
    return type_of_value(v);
  }
  if (v.kind == Kind::GoString || v.kind == Kind::GoSlice) {
    int word = header_word(v.kind, path.member);
    if (word < 0) {
      diags.error(range, what + " has no member '" + path.member + "'")
          .hint(v.kind == Kind::GoString ? "a Go string has ptr and len"
                                         : "a Go slice has ptr, len and cap");
      return Type::none();
    }
    return word == 0 ? Type::integer(64, false) : Type::integer();
  }
  auto member = std::find_if(v.members.begin(), v.members.end(),
                             [&](const ValueFacts &m) { return m.name == path.member; });
  if (member == v.members.end()) {
    auto &d = diags.error(range, v.members.empty() ? what + " is not a pointer to a struct"
                                 : v.kind == Kind::Struct
                                     ? what + " has no member '" + path.member + "'"
                                     : what + " points to no member '" + path.member + "'");
    if (!v.members.empty()) d.hint("its members are " + names_of(v.members));
    return Type::none();
  }
  if (member->kind == Kind::Unreadable || member->kind == Kind::GoSlice) {
    diags.error(range, path.text() + " (" + member->type_name + ") cannot be read: " +
                           (member->unreadable.empty()
                                ? "utrace reads a slice's members only where it is a parameter"
                                : member->unreadable));
    return Type::none();
  }
  return type_of_value(*member);
}

// The type of an element of slice `v`, read as `path`[...].
Type type_of_element(const Path &path, const ValueFacts &v, Diagnostics &diags,
                     const Range &range) {
  if (v.kind != Kind::GoSlice || !path.member.empty()) {
    diags.error(range, path.text() + " (" + (path.member.empty() ? v.type_name : path.member) +
                           ") is not a Go slice: only slices' elements are read by index");
    return Type::none();
  }
  if (v.element.empty() || v.element[0].kind == Kind::Unreadable ||
      v.element[0].kind == Kind::GoSlice) {
    diags.error(range, "the elements of " + path.text() + " (" + v.type_name +
                           ") cannot be read: " +
                           (v.element.empty() || v.element[0].unreadable.empty()
                                ? "utrace reads integers, pointers and strings"
                                : v.element[0].unreadable));
    return Type::none();
  }
  return type_of_value(v.element[0]);
}

// The type `rule` gives the read of `path` at every attach point, which must agree; none()
// after reporting why not.
template <typename Rule>
Type check_at_every_attach_point(const Path &path, std::vector<AttachInfo> &attach_points,
                                 BinaryCatalog *catalog, Diagnostics &diags, const Range &range,
                                 Rule rule) {
  Type result;
  const AttachInfo *first = nullptr;
  for (AttachInfo &a : attach_points) {
    const ValueFacts *v = lookup_value(path, a, catalog, diags, range);
    if (!v) return Type::none();
    Type t = rule(*v);
    if (t.is_none()) return t;
    if (!first) {
      first = &a;
      result = t;
    } else if (t != result) {
      diags.error(range, path.text() + " is " + result.str() + " in " + first->name + " but " +
                             t.str() + " in " + a.name);
      return Type::none();
    }
  }
  return result;
}

// The path of `args.xs[i]`'s slice.
std::optional<Path> slice_path(const ast::Index &index) {
  if (index.base->kind != ast::Expr::Kind::Field) return std::nullopt;
  return path_of(ast::as<ast::Field>(*index.base));
}

}  // namespace

bool is_function_value(const ast::Field &f) {
  return path_of(f).has_value();
}

bool is_function_element(const ast::Index &index) {
  return slice_path(index).has_value();
}

Type check_function_value(const ast::Field &f, std::vector<AttachInfo> &attach_points,
                          BinaryCatalog *catalog, Diagnostics &diags) {
  Path path = *path_of(f);
  return check_at_every_attach_point(
      path, attach_points, catalog, diags, f.range,
      [&](const ValueFacts &v) { return type_of_path(path, v, diags, f.range); });
}

Type check_function_element(const ast::Index &index, std::vector<AttachInfo> &attach_points,
                            BinaryCatalog *catalog, Diagnostics &diags) {
  Path path = *slice_path(index);
  return check_at_every_attach_point(
      path, attach_points, catalog, diags, index.range,
      [&](const ValueFacts &v) { return type_of_element(path, v, diags, index.range); });
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

// A value of `v`'s kind at `address` in the traced process's memory, as type `t`; read only
// when `guard` (a C condition) holds, when there is one.
std::string read_memory(LowerContext &lc, const ValueFacts &v, const Type &t,
                        const std::string &address, const std::string &guard) {
  std::string when = guard.empty() ? "" : "if (" + guard + ") ";
  if (v.kind == Kind::GoString) {
    std::string pointer = lc.temp(Type::integer(64, false));
    std::string length = lc.temp(Type::integer(64, false));
    lc.emit(when + "{");
    lc.emit("  bpf_probe_read_user(&" + pointer + ", 8, (void *)" + address + ");");
    lc.emit("  bpf_probe_read_user(&" + length + ", 8, (void *)(" + address + " + 8));");
    lc.emit("}");
    return go_string(lc, pointer, length);
  }
  std::string value = lc.temp(t);
  uint32_t size = v.kind == Kind::Integer ? v.size : 8;
  lc.emit(when + "bpf_probe_read_user(&" + value + ", " + std::to_string(size) + ", (void *)" +
          address + ");");
  return value;
}

// The value `path` names in the attach point being lowered (analysis found it there).
const ValueFacts &value_lowered(LowerContext &lc, const Path &path) {
  const FunctionFacts &facts = *lc.attach().function;
  return *find_value(path.root == "args" ? facts.params : facts.results, path);
}

// A value in its registers or stack words, as type `t`.
std::string in_place(LowerContext &lc, const ValueFacts &v, const Type &t) {
  if (v.kind == Kind::GoString) return go_string(lc, word(lc, v, 0), word(lc, v, 1));
  if (v.kind == Kind::Record) {
    // Its bytes as the caller passed them: eightbytes in registers, or its copy on the stack.
    std::string bytes = lc.temp(t);
    std::string size = std::to_string(t.byte_size());
    if (v.registers.empty()) {
      lc.emit("bpf_probe_read_user(&" + bytes + ", " + size + ", (void *)(PT_REGS_SP(ctx) + " +
              std::to_string(v.offset) + "));");
      return bytes;
    }
    std::string words = "w" + bytes;
    std::string list;
    for (const std::string &r : v.registers) list += (list.empty() ? "ctx->" : ", ctx->") + r;
    lc.emit("u64 " + words + "[" + std::to_string(v.registers.size()) + "] = {" + list + "};");
    lc.emit("__builtin_memcpy(&" + bytes + ", " + words + ", " + size + ");");
    return bytes;
  }
  return "((" + t.c_type() + ")" + word(lc, v, 0) + ")";
}

}  // namespace

std::string lower_function_value(LowerContext &lc, const ast::Field &f) {
  Path path = *path_of(f);
  const ValueFacts &v = value_lowered(lc, path);
  const Type &t = lc.sema().type_of(f);
  if (path.member.empty()) return in_place(lc, v, t);
  if (v.kind == Kind::GoString || v.kind == Kind::GoSlice)
    return "((" + t.c_type() + ")" + word(lc, v, header_word(v.kind, path.member)) + ")";
  const ValueFacts &m = *std::find_if(v.members.begin(), v.members.end(),
                                      [&](const ValueFacts &each) { return each.name == path.member; });
  // A member of a struct passed in registers is in its own.
  if (v.kind == Kind::Struct) return in_place(lc, m, t);
  // A member of the struct the value points to, read from the traced process's memory.
  return read_memory(lc, m, t, "(" + word(lc, v, 0) + " + " + std::to_string(m.offset) + ")", "");
}

std::string lower_function_element(LowerContext &lc, const ast::Index &index) {
  const ValueFacts &v = value_lowered(lc, *slice_path(index));
  const ValueFacts &element = v.element[0];
  std::string i = lc.temp(Type::integer(64, false));
  lc.emit(i + " = (u64)(" + lc.expr(*index.index) + ");");
  std::string address = "(" + word(lc, v, 0) + " + " + i + " * " +
                        std::to_string(element_stride(element)) + ")";
  // Past the slice's length the element is 0 (or ""), as nothing is read there.
  return read_memory(lc, element, lc.sema().type_of(index), address,
                     i + " < (u64)" + word(lc, v, 1));
}

}  // namespace ut::codegen
