#include "codegen/type_access.h"

#include "codegen/lower_context.h"

namespace ut::codegen {
namespace {

using ast::Expr;

// Where the bytes of a value are: in the traced process's memory at `address` (a C expression
// of a u64), or in the BPF program's own memory, `offset` bytes into the local `local`.
struct Place {
  bool user = true;
  std::string address;
  std::string local;
  std::string offset = "0";
  bool constant_offset = true;  // `offset` is a number: no bounds to check
  std::string guard;            // a C condition that must hold to read (an index in bounds)
};

// A pointer's C value as a u64 address.
std::string address_of(const std::string &pointer) {
  return pointer.rfind("(u64)", 0) == 0 || pointer.rfind("((u64)", 0) == 0 ? pointer
                                                                           : "(u64)" + pointer;
}

std::string plus(const std::string &base, const std::string &bytes) {
  if (base == "0") return bytes;
  return bytes == "0" ? base : "(" + base + " + " + bytes + ")";
}

// `bytes` more into `p`.
Place moved(Place p, const std::string &bytes, bool constant) {
  if (p.user) {
    p.address = plus(p.address, bytes);
  } else {
    p.offset = plus(p.offset, bytes);
    p.constant_offset = p.constant_offset && constant;
  }
  return p;
}

Place place_of(LowerContext &lc, const Expr &e);

// The place of a record or array value `e`: where a chain of members and elements leads, or
// the local that lowering `e` gives.
Place place_of_value(LowerContext &lc, const Expr &e) {
  if (is_typed_access(e, lc.sema())) return place_of(lc, e);
  Place p;
  p.user = false;
  p.local = lc.expr(e);
  return p;
}

// An index as the bytes it moves: "(u64)(i) * size", or a number when `i` is a literal.
std::string scaled_index(LowerContext &lc, const Expr &index, uint32_t size, bool &constant) {
  constant = index.kind == Expr::Kind::Integer;
  if (constant) return std::to_string(ast::as<ast::Integer>(index).value * size);
  return "(u64)(" + lc.expr(index) + ") * " + std::to_string(size);
}

Place place_of(LowerContext &lc, const Expr &e) {
  const SemanticInfo &sema = lc.sema();
  if (e.kind == Expr::Kind::Unary) {  // *p
    Place p;
    p.address = address_of(lc.expr(*ast::as<ast::Unary>(e).operand));
    return p;
  }
  if (e.kind == Expr::Kind::Field) {
    const auto &f = ast::as<ast::Field>(e);
    const RecordField &member = sema.members.at(&f);
    std::string offset = std::to_string(member.offset);
    if (sema.type_of(*f.base).is_pointer()) {
      Place p;
      p.address = plus(address_of(lc.expr(*f.base)), offset);
      return p;
    }
    return moved(place_of_value(lc, *f.base), offset, true);
  }
  const auto &index = ast::as<ast::Index>(e);
  const Type &base = sema.type_of(*index.base);
  uint32_t size = sema.type_of(e).byte_size();
  bool constant = false;
  std::string bytes = scaled_index(lc, *index.index, size, constant);
  if (base.is_pointer()) {
    Place p;
    p.address = plus(address_of(lc.expr(*index.base)), bytes);
    return p;
  }
  Place p = place_of_value(lc, *index.base);
  uint32_t count = base.is_string() ? base.size : base.count;  // a char array's bytes
  if (!constant && count > 0) {
    // A variable index reads nothing past the array's end: the element is then 0.
    std::string i = lc.temp(Type::integer(64, false));
    lc.emit(i + " = " + bytes + ";");
    bytes = i;
    std::string guard = i + " < " + std::to_string(static_cast<uint64_t>(count) * size);
    p.guard = p.guard.empty() ? guard : "(" + p.guard + ") && " + guard;
  }
  return moved(p, bytes, constant);
}

// Reads `size` bytes at `p` into `dest` (a C lvalue's address).
void copy_bytes(LowerContext &lc, const Place &p, const std::string &dest, uint32_t size) {
  std::string n = std::to_string(size);
  std::string when = p.guard.empty() ? "" : "if (" + p.guard + ") ";
  if (p.user) {
    lc.emit(when + "bpf_probe_read_user(" + dest + ", " + n + ", (void *)(" + p.address + "));");
  } else if (p.constant_offset && size <= 128) {
    lc.emit(when + "__builtin_memcpy(" + dest + ", (u8 *)&" + p.local + " + " + p.offset + ", " +
            n + ");");
  } else {
    // An offset the verifier cannot bound on the stack, or more than Clang copies inline (BPF
    // has no memcpy): read it as memory.
    lc.emit(when + "bpf_probe_read_kernel(" + dest + ", " + n + ", (u8 *)&" + p.local + " + " +
            p.offset + ");");
  }
}

// A bitfield's bits at `p`: `width` of them from bit `shift`, sign-extended when signed.
std::string read_bitfield(LowerContext &lc, const Place &p, const RecordField &member) {
  uint32_t bytes = (member.bit_shift + member.bit_width + 7) / 8;
  std::string raw = lc.temp(Type::integer(64, false));
  copy_bytes(lc, p, "&" + raw, bytes > 8 ? 8 : bytes);
  std::string v = lc.temp(Type::integer(64, member.type.is_signed));
  uint32_t high = 64 - member.bit_shift - member.bit_width;
  if (member.type.is_signed) {
    lc.emit(v + " = (s64)(" + raw + " << " + std::to_string(high) + ") >> " +
            std::to_string(64 - member.bit_width) + ";");
  } else {
    lc.emit(v + " = (" + raw + " << " + std::to_string(high) + ") >> " +
            std::to_string(64 - member.bit_width) + ";");
  }
  return v;
}

}  // namespace

bool is_typed_access(const Expr &e, const SemanticInfo &sema) {
  switch (e.kind) {
    case Expr::Kind::Field:
      return sema.members.count(&ast::as<ast::Field>(e)) > 0;
    case Expr::Kind::Index: {
      const Type &base = sema.type_of(*ast::as<ast::Index>(e).base);
      return base.is_array() || base.is_pointer() || base.is_string();
    }
    case Expr::Kind::Unary: {
      const auto &u = ast::as<ast::Unary>(e);
      return u.op == ast::UnaryOp::Deref && sema.type_of(*u.operand).is_pointer();
    }
    default:
      return false;
  }
}

std::string lower_typed_access(LowerContext &lc, const Expr &e) {
  const Type &t = lc.sema().type_of(e);
  Place p = place_of(lc, e);
  if (e.kind == Expr::Kind::Field) {
    const auto &f = ast::as<ast::Field>(e);
    const RecordField &member = lc.sema().members.at(&f);
    if (member.is_bitfield()) return read_bitfield(lc, p, member);
    if (lc.sema().go_string_members.count(&f)) {
      // Its header's two words (data pointer, length), then the text it points to.
      std::string pointer = lc.temp(Type::integer(64, false));
      std::string length = lc.temp(Type::integer(64, false));
      copy_bytes(lc, p, "&" + pointer, 8);
      copy_bytes(lc, moved(p, "8", true), "&" + length, 8);
      std::string text = lc.temp(t);
      lc.emit("ut_go_string(" + text + ", " + pointer + ", " + length + ");");
      return text;
    }
  }
  std::string v = lc.temp(t);
  copy_bytes(lc, p, t.is_string() ? v : "&" + v, t.byte_size());
  return v;
}

uint32_t pointer_step(const Type &t) {
  uint32_t size = t.is_pointer() ? t.elements[0].byte_size() : 1;
  return size == 0 ? 1 : size;
}

}  // namespace ut::codegen
