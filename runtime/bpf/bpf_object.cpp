#include "runtime/bpf/bpf_object.h"

#include <cstring>

namespace ut::runtime {

namespace {

// Version 1: little-endian u32 counts and fields, strings as a u32 length and the bytes.
constexpr std::string_view kMagic = "utrace-bpf-object-1\n";

class Writer {
 public:
  void u32(uint32_t v) { out_.append(reinterpret_cast<const char *>(&v), sizeof(v)); }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads what Writer wrote; any read past the end makes the whole read fail.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint32_t u32() {
    uint32_t v = 0;
    if (in_.size() < sizeof(v)) return fail();
    std::memcpy(&v, in_.data(), sizeof(v));
    in_.remove_prefix(sizeof(v));
    return v;
  }
  std::string str() {
    uint32_t n = u32();
    if (in_.size() < n) return fail(), std::string();
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  // A count of items that each take at least `min_bytes`: never more than the input can hold.
  uint32_t count(size_t min_bytes) {
    uint32_t n = u32();
    return n > in_.size() / min_bytes ? fail() : n;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return in_.empty(); }

 private:
  uint32_t fail() {
    ok_ = false;
    in_ = {};
    return 0;
  }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace

int BpfObject::function_index(std::string_view name) const {
  for (size_t i = 0; i < functions.size(); ++i)
    if (functions[i].name == name) return static_cast<int>(i);
  return -1;
}

int BpfObject::map_index(std::string_view name) const {
  for (size_t i = 0; i < maps.size(); ++i)
    if (maps[i].name == name) return static_cast<int>(i);
  return -1;
}

std::string serialize(const BpfObject &object, std::string_view key) {
  Writer w;
  w.str(kMagic);
  w.str(key);
  w.str(object.license);
  w.u32(object.kern_version);
  w.u32(static_cast<uint32_t>(object.maps.size()));
  for (const BpfMapDef &m : object.maps) {
    w.str(m.name);
    for (uint32_t v : {m.type, m.key_size, m.value_size, m.max_entries, m.flags}) w.u32(v);
  }
  w.u32(static_cast<uint32_t>(object.functions.size()));
  for (const BpfFunction &f : object.functions) {
    w.str(f.name);
    w.str(f.insns);
    w.u32(static_cast<uint32_t>(f.relocations.size()));
    for (const BpfRelocation &r : f.relocations)
      for (uint32_t v : {static_cast<uint32_t>(r.kind), r.insn, r.target}) w.u32(v);
  }
  return w.take();
}

Result<BpfObject> deserialize(std::string_view bytes, std::string_view key) {
  Reader r(bytes);
  if (r.str() != kMagic) return Error("not a utrace BPF object");
  if (r.str() != key) return Error("the object was compiled from other input");
  BpfObject object;
  object.license = r.str();
  object.kern_version = r.u32();
  object.maps.resize(r.count(4 * 6));
  for (BpfMapDef &m : object.maps) {
    m.name = r.str();
    for (uint32_t *v : {&m.type, &m.key_size, &m.value_size, &m.max_entries, &m.flags})
      *v = r.u32();
  }
  object.functions.resize(r.count(4 * 3));
  size_t nfunctions = object.functions.size();
  for (BpfFunction &f : object.functions) {
    f.name = r.str();
    f.insns = r.str();
    f.relocations.resize(r.count(4 * 3));
    for (BpfRelocation &rel : f.relocations) {
      rel.kind = static_cast<BpfRelocation::Kind>(r.u32());
      rel.insn = r.u32();
      rel.target = r.u32();
      size_t ninsns = f.insns.size() / 8;
      bool in_range = rel.insn + 1 < ninsns;
      switch (rel.kind) {
        case BpfRelocation::Kind::MapFd:
          in_range &= rel.target < object.maps.size();
          break;
        case BpfRelocation::Kind::Function:
          in_range &= rel.target < nfunctions;
          break;
        case BpfRelocation::Kind::Constant:
          break;
        default:
          in_range = false;
      }
      if (r.ok() && !in_range) return Error("a relocation is out of range");
    }
    if (f.insns.size() % 8 != 0) return Error("a function is not whole instructions");
  }
  if (!r.ok() || !r.at_end()) return Error("the object is truncated or has trailing bytes");
  return object;
}

}  // namespace ut::runtime
