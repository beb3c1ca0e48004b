// What the generated C declares before its functions: tuple structs, maps (and the zeroed
// arrays hist and lhist start from), the ring buffer, the drop counters, event structs. Internal
// to codegen/; used by the lowering (codegen/lower.cpp), which asks for declarations as it goes.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "codegen/plan.h"
#include "codegen/semantic.h"

namespace ut::codegen {

// Field `i` of a key, event or tuple struct.
inline std::string field_name(size_t i) {
  return "f" + std::to_string(i);
}

// An event's strings are padded to the next 8 bytes, so that the 64-bit fields after them stay
// aligned. Keys, events and tuples are laid out as C lays out their structs (Type::tuple()).
inline Type padded(const Type &t) {
  return t.is_string() ? Type::string((t.size + 7) / 8 * 8) : t;
}

class Declarations {
 public:
  // Maps and events are recorded in `plan` as they are declared.
  Declarations(ProgramPlan &plan, const SemanticInfo &sema) : plan_(plan), sema_(sema) {}

  // `t name`, declaring a struct for a tuple type on first use. Records and arrays are their
  // bytes (struct ut_bytes_SIZE_ALIGN): members are read at the offsets their layout gives.
  std::string declaration(const Type &t, const std::string &name);
  // The C type of a map's values.
  std::string leaf_type(const Type &value);
  // The event carrying `fields` for `action`, declared on first use; its index in plan.events.
  size_t event_for(const EventSpec &action, std::vector<FieldSpec> fields);

  // The declarations as C text. maps() first (it may declare tuples), then the others.
  std::string maps();
  std::string tuples() const { return tuple_decls_.empty() ? "" : tuple_decls_ + "\n"; }
  std::string events();
  std::string symbols() const;

  // The address of per-CPU map `c_name`, for bpf_map_lookup_percpu_elem().
  static std::string map_ref(const std::string &c_name);
  static bool has_buckets(const Type &value);
  // A one-entry BPF array holding a zeroed value of a hist or lhist map: "ut_zero_ut_hist".
  static std::string zero_array(const Type &value);

 private:
  std::string tuple_struct(const Type &t);
  std::string bytes_struct(const Type &t);

  ProgramPlan &plan_;
  const SemanticInfo &sema_;
  std::vector<Type> tuple_types_;  // tuple_N is tuple_types_[N]
  std::string tuple_decls_;
  std::set<std::string> bytes_structs_;  // declared in tuple_decls_
  std::vector<std::string> tables_;  // BPF tables in the order declared (BCC numbers them so)
};

}  // namespace ut::codegen
