// Functions on maps: print(), clear(), zero(), delete(), has_key(). Rows of the builtin table
// (codegen/builtins.cpp).
#include "codegen/builtin_rows.h"

namespace ut::codegen {
namespace {

bool is_map(const ast::Expr *e) {
  return e->kind == ast::Expr::Kind::Map;
}
const ast::Map &as_map(const ast::Expr *e) {
  return ast::as<ast::Map>(*e);
}

// The map a function acts on as a whole: `clear(@m)`, not `clear(@m[1])`.
bool whole_map(CallCheck &c) {
  const ast::Expr *a = c.call.args[0];
  if (!is_map(a)) {
    c.diags.error(a->range, c.call.name + "() expects a map, such as @name");
    return false;
  }
  if (!as_map(a).keys.empty()) {
    c.diags.error(a->range, c.call.name + "() acts on a whole map: write " + as_map(a).name +
                                " without a key");
    return false;
  }
  return true;
}

bool integer_args_from(CallCheck &c, size_t first) {
  for (size_t i = first; i < c.arg_types.size(); ++i) {
    if (!c.arg_types[i].is_none() && !c.arg_types[i].is_integer()) {
      c.diags.error(c.call.args[i]->range,
                    c.call.name + "() takes an integer here, not " + c.arg_types[i].str());
      return false;
    }
  }
  return true;
}

}  // namespace

// print(@m), print(@m, top), print(@m, top, div): the map as at exit, now. print(value) prints
// an integer or a string on its own line.
Type check_print(CallCheck &c) {
  if (is_map(c.call.args[0]) && !as_map(c.call.args[0]).keys.empty()) {
    // print(@m[k]): the entry's value, printed as print(value) prints it (bpftrace 0.21).
    const ast::Map &m = as_map(c.call.args[0]);
    const Type &stored = c.arg_types[0];
    Type value = read_type(stored);
    if (value.is_none() && stored.is_aggregate())
      c.diags
          .error(m.range, "print() of one entry of " + m.name + " is not possible: it holds a " +
                              agg_name(stored.agg.kind) + "() aggregation")
          .hint("print(" + m.name + ") prints the whole map");
    else if (c.call.args.size() > 1)
      c.diags.error(c.call.range, "print() of one map entry takes no top or divisor");
    else if (!value.is_none())
      c.sema.types[&m] = value;
    return Type::none();
  }
  if (is_map(c.call.args[0])) {
    if (!whole_map(c)) return Type::none();
    integer_args_from(c, 1);
    return Type::none();
  }
  if (c.call.args.size() > 1) {
    c.diags.error(c.call.range, "print() takes one value, or a map with a top and a divisor");
    return Type::none();
  }
  const Type &t = c.arg_types[0];
  if (!t.is_none() && !t.is_scalar() && !t.is_string() && !t.is_buffer() && !t.is_symbolic() &&
      t.kind != TypeKind::Tuple && !t.is_record() && !t.is_array())
    c.diags.error(c.call.args[0]->range, "print() of a " + t.str() + " value is not supported yet");
  return Type::none();
}

std::string lower_print(LowerContext &lc, const ast::Call &call) {
  EventSpec action;
  if (is_map(call.args[0]) && as_map(call.args[0]).keys.empty()) {
    action.kind = EventKind::PrintMap;
    action.map = lc.map_index(as_map(call.args[0]).name);
    lc.send_event(action, {call.args.begin() + 1, call.args.end()});
  } else {
    action.kind = EventKind::PrintValue;
    lc.send_event(action, {call.args[0]});
  }
  return "";
}

Type check_whole_map(CallCheck &c) {
  whole_map(c);
  return Type::none();
}

template <EventKind kKind>
std::string lower_map_event(LowerContext &lc, const ast::Call &call) {
  EventSpec action;
  action.kind = kKind;
  action.map = lc.map_index(as_map(call.args[0]).name);
  lc.send_event(action, {});
  return "";
}

// delete(@m[k]) or delete(@m, k), has_key(@m, k): one entry of a map. The key is the map's
// own keys or the second argument; both yield 1 (deleted, present) or 0.
static const std::vector<ast::Expr *> *entry_keys(CallCheck &c) {
  const ast::Expr *a = c.call.args[0];
  if (!is_map(a)) {
    c.diags.error(a->range, c.call.name + "() expects a map entry, such as @name[key]");
    return nullptr;
  }
  const MapInfo *info = nullptr;
  if (auto it = c.sema.maps.find(as_map(a).name); it != c.sema.maps.end()) info = &it->second;
  if (c.call.args.size() == 2) {
    if (!as_map(a).keys.empty()) {
      c.diags.error(c.call.args[1]->range, "give the key once: " + c.call.name + "(@map, key)");
      return nullptr;
    }
    if (info && info->keys.size() != 1) {
      c.diags.error(c.call.args[1]->range, c.call.name + "(@map, key) takes one key; " +
                                               as_map(a).name + " has " +
                                               std::to_string(info->keys.size()));
      return nullptr;
    }
    if (info && !c.arg_types[1].is_none() &&
        c.arg_types[1].is_string() != info->keys[0].is_string()) {
      c.diags.error(c.call.args[1]->range, "the key is a " + c.arg_types[1].str() + " but " +
                                               as_map(a).name + " has " + info->keys[0].str() +
                                               " keys");
      return nullptr;
    }
    return &c.call.args;  // the caller takes the second argument
  }
  return &as_map(a).keys;
}

Type check_entry(CallCheck &c) {
  if (!entry_keys(c)) return Type::none();
  if (c.call.name == "has_key" && c.call.args.size() != 2 && as_map(c.call.args[0]).keys.empty()) {
    c.diags.error(c.call.range, "has_key() takes a map and a key: has_key(@map, key)");
    return Type::none();
  }
  return Type::integer();
}

static std::string entry_key(LowerContext &lc, const ast::Call &call) {
  const ast::Map &m = as_map(call.args[0]);
  if (call.args.size() == 2) return lc.map_key(m.name, {call.args[1]});
  return lc.map_key(m.name, m.keys);
}

std::string lower_delete(LowerContext &lc, const ast::Call &call) {
  const std::string &name = as_map(call.args[0]).name;
  std::string key = entry_key(lc, call);
  std::string deleted = lc.temp(Type::integer());
  lc.emit(deleted + " = " + map_c_name(name) + ".delete(" + key + ") == 0;");
  if (std::string shrink = lc.count_entries(name, -1); !shrink.empty())
    lc.emit("if (" + deleted + ") " + shrink);
  return deleted;
}

// len(@m): the map's entries, counted as they come and go (BPF cannot walk a map here: BCC's
// loader cannot relocate the callback bpf_for_each_map_elem() needs).
Type check_len(CallCheck &c) {
  if (!whole_map(c)) return Type::none();
  c.sema.counted_maps.insert(as_map(c.call.args[0]).name);
  return Type::integer();
}

std::string lower_len(LowerContext &lc, const ast::Call &call) {
  return "ut_length(" + std::to_string(lc.length_index(as_map(call.args[0]).name)) + ")";
}

std::string lower_has_key(LowerContext &lc, const ast::Call &call) {
  std::string key = entry_key(lc, call);
  return "(" + map_c_name(as_map(call.args[0]).name) + ".lookup(" + key + ") != 0)";
}

template std::string lower_map_event<EventKind::ClearMap>(LowerContext &, const ast::Call &);
template std::string lower_map_event<EventKind::ZeroMap>(LowerContext &, const ast::Call &);

}  // namespace ut::codegen
