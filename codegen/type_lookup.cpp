#include "codegen/type_lookup.h"

#include "codegen/semantic.h"

namespace ut::codegen {
namespace {

bool names_record(const std::string &name) {
  return name.rfind("struct ", 0) == 0 || name.rfind("union ", 0) == 0;
}

}  // namespace

std::optional<Type> TypeLookup::from_binaries(const std::string &name,
                                              const std::vector<AttachInfo> &attach_points) {
  if (!binaries_) return std::nullopt;
  for (const AttachInfo &a : attach_points) {
    if (a.binary.empty() || a.binary.find_first_of("*?[") != std::string::npos) continue;
    auto key = std::make_pair(a.binary, name);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      Result<Type> t = binaries_->type(a.binary, name);
      it = cache_.emplace(key, t ? std::optional<Type>(*t) : std::nullopt).first;
    }
    if (it->second) return it->second;
  }
  return std::nullopt;
}

Type TypeLookup::named(const std::string &name, uint32_t pointer_depth,
                       const std::vector<AttachInfo> &attach_points, Diagnostics &diags,
                       const Range &range) {
  Type t = integer_type_named(name);
  if (t.is_none() && name.rfind("enum ", 0) == 0) t = Type::integer(32);
  if (t.is_none() && definitions_) {
    if (auto r = definitions_->records.find(name); r != definitions_->records.end())
      t = Type::of_record(r->second);
    else if (auto d = definitions_->typedefs.find(name); d != definitions_->typedefs.end())
      t = d->second;
  }
  if (t.is_none()) {
    if (auto found = from_binaries(name, attach_points)) t = *found;
  }
  if (t.is_none()) {
    auto &d = diags.error(range, names_record(name) ? "Unknown struct/union: '" + name + "'"
                                                    : "Unknown type: '" + name + "'");
    bool has_binary = false;
    for (const AttachInfo &a : attach_points) has_binary = has_binary || !a.binary.empty();
    d.hint(has_binary ? "define it at the top of the script, or build the traced program with "
                        "-g so that its DWARF describes it"
                      : "define it at the top of the script");
    return Type::none();
  }
  for (uint32_t i = 0; i < pointer_depth; ++i) t = Type::pointer(t);
  return t;
}

Type TypeLookup::complete(const Type &t, const std::vector<AttachInfo> &attach_points,
                          Diagnostics &diags, const Range &range) {
  if (!t.is_record() || !t.record || t.record->complete) return t;
  return named(t.record->name, 0, attach_points, diags, range);
}

Type TypeLookup::preferring_script(const Type &t) const {
  if (!definitions_ || definitions_->records.empty()) return t;
  if (t.is_pointer() || t.is_array()) {
    Type out = t;
    out.elements[0] = preferring_script(t.elements[0]);
    return out;
  }
  if (!t.is_record() || !t.record || t.record->name.empty()) return t;
  auto it = definitions_->records.find(t.record->name);
  return it == definitions_->records.end() ? t : Type::of_record(it->second);
}

std::optional<int64_t> TypeLookup::constant(const std::string &name) const {
  if (!definitions_) return std::nullopt;
  auto it = definitions_->constants.find(name);
  if (it == definitions_->constants.end()) return std::nullopt;
  return it->second;
}

}  // namespace ut::codegen
