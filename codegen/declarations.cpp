#include "codegen/declarations.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "codegen/lower_context.h"

namespace ut::codegen {
namespace {

std::string scalar_declaration(const Type &t, const std::string &name) {
  if (t.is_string()) return "char " + name + "[" + std::to_string(t.size) + "]";
  return t.c_type() + " " + name;
}

}  // namespace

std::string Declarations::declaration(const Type &t, const std::string &name) {
  if (t.is_record() || t.is_array()) return "struct " + bytes_struct(t) + " " + name;
  if (t.kind != TypeKind::Tuple) return scalar_declaration(t, name);
  return "struct " + tuple_struct(t) + " " + name;
}

std::string Declarations::bytes_struct(const Type &t) {
  std::string name = "ut_bytes_" + std::to_string(t.byte_size()) + "_" + std::to_string(t.align());
  if (bytes_structs_.insert(name).second)
    tuple_decls_ += "struct " + name + " { u8 bytes[" + std::to_string(t.byte_size()) +
                    "]; } __attribute__((aligned(" + std::to_string(t.align()) + ")));\n";
  return name;
}

std::string Declarations::tuple_struct(const Type &t) {
  for (size_t i = 0; i < tuple_types_.size(); ++i)
    if (tuple_types_[i] == t) return "tuple_" + std::to_string(i);
  std::string fields;
  for (size_t i = 0; i < t.elements.size(); ++i)
    fields += " " + declaration(t.elements[i], field_name(i)) + ";";
  tuple_types_.push_back(t);
  std::string name = "tuple_" + std::to_string(tuple_types_.size() - 1);
  tuple_decls_ += "struct " + name + " {" + fields + " };\n";
  return name;
}

std::string Declarations::maps() {
  std::ostringstream out;
  std::vector<std::string> zero_arrays;  // hist and lhist: where new entries start from
  for (const auto &[name, info] : sema_.maps) {
    MapSpec spec{name, map_c_name(name), info.keys, info.value};
    std::string key_type = "u64";
    if (!info.keys.empty()) {
      key_type = "struct key_" + spec.c_name.substr(4);
      out << key_type << " {";
      for (size_t i = 0; i < info.keys.size(); ++i)
        out << " " << declaration(info.keys[i], field_name(i)) << ";";
      out << " };\n";
    }
    spec.per_cpu = info.value.is_aggregate();
    if (has_buckets(info.value)) {
      std::string zero = zero_array(info.value);
      if (info.value.agg.kind == AggKind::Lhist &&
          !std::count(zero_arrays.begin(), zero_arrays.end(), zero))
        out << info.value.c_type() << " { u64 buckets[" << info.value.agg.lhist_buckets()
            << "]; };\n";
      if (!std::count(zero_arrays.begin(), zero_arrays.end(), zero)) zero_arrays.push_back(zero);
    }
    out << (spec.per_cpu ? "BPF_PERCPU_HASH(" : "BPF_HASH(") << spec.c_name << ", " << key_type
        << ", " << leaf_type(info.value) << ", UT_MAP_KEYS_MAX);  /* " << name << " */\n";
    tables_.push_back(spec.c_name);
    plan_.maps.push_back(std::move(spec));
  }
  for (const std::string &zero : zero_arrays) {
    out << "BPF_ARRAY(" << zero << ", struct " << zero.substr(std::string("ut_zero_").size())
        << ", 1);\n";
    tables_.push_back(zero);
  }
  if (plan_.perf_events)
    out << "BPF_PERF_OUTPUT(" << plan_.events_map << ");\n";
  else
    out << "BPF_RINGBUF_OUTPUT(" << plan_.events_map << ", UT_RING_PAGES);\n";
  tables_.push_back(plan_.events_map);
  plan_.counters = map_full_counter(static_cast<int>(plan_.maps.size()));
  out << "BPF_PERCPU_ARRAY(" << plan_.counters_map << ", u64, " << plan_.counters << ");\n";
  tables_.push_back(plan_.counters_map);
  int counted = 0;
  for (MapSpec &m : plan_.maps)
    if (sema_.counted_maps.count(m.name)) m.length_index = counted++;
  if (counted > 0) {
    out << "BPF_ARRAY(" << plan_.lengths_map << ", s64, " << counted << ");\n";
    tables_.push_back(plan_.lengths_map);
  }
  if (!plan_.stacks_map.empty()) {
    out << "BPF_PERCPU_ARRAY(ut_stack_scratch, struct ut_stack, 1);\n"
        << "BPF_HASH(" << plan_.stacks_map << ", u64, struct ut_stack, UT_MAP_KEYS_MAX);\n";
    tables_.push_back("ut_stack_scratch");
    tables_.push_back(plan_.stacks_map);
  }
  if (!plan_.seen_processes_map.empty()) {
    out << "BPF_HASH(" << plan_.seen_processes_map << ", u32, u8, UT_MAP_KEYS_MAX);\n";
    tables_.push_back(plan_.seen_processes_map);
  }
  // Per-CPU maps are read across CPUs with bpf_map_lookup_percpu_elem(), and for loops walk maps
  // with bpf_for_each_map_elem(): both take the map's address. BCC numbers its tables -1, -2, ...
  // in the order they are declared.
  for (const MapSpec &m : plan_.maps) {
    if (!m.per_cpu && !sema_.iterated_maps.count(m.name)) continue;
    size_t index = std::find(tables_.begin(), tables_.end(), m.c_name) - tables_.begin() + 1;
    out << "#define " << map_ref(m.c_name) << " ((void *)bpf_pseudo_fd(1, -" << index << "))\n";
  }
  out << "\n/* Counts what BPF had to drop: [0] events, [1 + i] updates of map i when it was "
         "full. */\n"
      << "static __always_inline void ut_count(u32 i)\n{\n  u64 *c = " << plan_.counters_map
      << ".lookup(&i);\n  if (c)\n    *c += 1;\n}\n\n";
  if (!plan_.stacks_map.empty()) {
    // Kept by a 64-bit hash of their frames rather than in a BPF_STACK_TRACE map, whose stack ids
    // are buckets: there two different stacks in one bucket lose the second one.
    out << "/* The first `limit` frames of the user stack, stored in " << plan_.stacks_map
        << " under a hash of them: the\n * key, or -1 when there is no stack. */\n"
        << "static __always_inline s64 ut_user_stack(void *ctx, u32 limit)\n{\n"
        << "  u32 zero = 0;\n"
        << "  struct ut_stack *s = ut_stack_scratch.lookup(&zero);\n"
        << "  if (!s)\n    return -1;\n"
        << "  /* The kernel zeroes the slots after the last frame. */\n"
        << "  if (bpf_get_stack(ctx, s->frames, sizeof(s->frames), BPF_F_USER_STACK) <= 0)\n"
        << "    return -1;\n"
        << "  u64 hash = 0xcbf29ce484222325ULL;\n"
        << "  for (u32 i = 0; i < UT_MAX_STACK_FRAMES; i++) {\n"
        << "    if (i >= limit)\n      s->frames[i] = 0;\n"
        << "    hash = (hash ^ s->frames[i]) * 0x100000001b3ULL;\n  }\n"
        << "  hash >>= 1;  /* keys are not negative */\n"
        << "  " << plan_.stacks_map << ".update(&hash, s);\n"
        << "  return hash;\n}\n\n";
  }
  if (counted > 0) {
    out << "/* Entry counts for len(), changed atomically: every CPU adds and removes keys. */\n"
        << "static __always_inline void ut_length_add(u32 i, s64 delta)\n{\n  s64 *n = "
        << plan_.lengths_map << ".lookup(&i);\n  if (n)\n    __sync_fetch_and_add(n, delta);\n}\n\n"
        << "static __always_inline s64 ut_length(u32 i)\n{\n  s64 *n = " << plan_.lengths_map
        << ".lookup(&i);\n  return n ? *n : 0;\n}\n\n";
  }
  return out.str();
}

std::string Declarations::map_ref(const std::string &c_name) {
  return "UT_MAP_" + c_name;
}

std::string Declarations::leaf_type(const Type &value) {
  if (value.is_string()) return "ut_string" + std::to_string(value.size);
  if (value.is_record() || value.is_array()) return "struct " + bytes_struct(value);
  if (value.kind == TypeKind::Tuple) return "struct " + tuple_struct(value);
  return value.c_type();
}

bool Declarations::has_buckets(const Type &value) {
  return value.is_aggregate() &&
         (value.agg.kind == AggKind::Hist || value.agg.kind == AggKind::Lhist);
}

std::string Declarations::zero_array(const Type &value) {
  std::string type = value.c_type();
  return "ut_zero_" + type.substr(type.rfind(' ') + 1);
}

std::string Declarations::events() {
  std::ostringstream out;
  for (const EventSpec &ev : plan_.events) {
    out << "struct " << ev.c_struct << " { u64 id;";
    for (size_t i = 0; i < ev.fields.size(); ++i)
      if (!ev.fields[i].constant)
        out << " " << declaration(padded(ev.fields[i].type), field_name(i)) << ";";
    out << " };\n";
  }
  if (plan_.perf_events && !plan_.events.empty()) {
    // Perf buffers copy a record from memory: each CPU builds its events in a slot big enough
    // for the largest (the BPF stack is too small for long strings).
    out << "union ut_event_space {";
    for (size_t i = 0; i < plan_.events.size(); ++i)
      out << " struct " << plan_.events[i].c_struct << " e" << i << ";";
    out << " };\nBPF_PERCPU_ARRAY(ut_event_space, union ut_event_space, 1);\n"
        << "static __always_inline void *ut_event_slot(void)\n{\n  u32 zero = 0;\n"
        << "  return ut_event_space.lookup(&zero);\n}\n";
    tables_.push_back("ut_event_space");
  }
  return plan_.events.empty() ? "" : out.str() + "\n";
}

std::string Declarations::symbols() const {
  std::string out;
  for (const SymbolRef &s : plan_.symbols)
    out += "/* " + s.macro + ": the address of " + s.symbol + " in " + s.binary +
           ", defined when the program is loaded */\n";
  return out.empty() ? out : out + "\n";
}

size_t Declarations::event_for(const EventSpec &action, std::vector<FieldSpec> fields) {
  for (size_t i = 0; i < plan_.events.size(); ++i) {
    const EventSpec &ev = plan_.events[i];
    if (ev.kind == action.kind && ev.format == action.format && ev.map == action.map &&
        ev.fields == fields)
      return i;
  }
  EventSpec ev;
  ev.kind = action.kind;
  ev.format = action.format;
  ev.map = action.map;
  ev.c_struct = "event_" + std::to_string(plan_.events.size());
  // The offsets C gives the struct's members (declared by events(), strings padded).
  std::vector<Type> layout = {Type::integer(64, false)};  // the u64 id
  for (const FieldSpec &f : fields)
    if (!f.constant) layout.push_back(padded(f.type));
  std::vector<uint32_t> offsets = Type::tuple(layout).element_offsets();
  size_t next = 1;
  for (FieldSpec &f : fields)
    if (!f.constant) f.offset = offsets[next++];
  ev.fields = std::move(fields);
  ev.size = Type::tuple(layout).byte_size();
  plan_.events.push_back(std::move(ev));
  return plan_.events.size() - 1;
}

}  // namespace ut::codegen
