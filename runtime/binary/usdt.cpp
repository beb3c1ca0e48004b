// The note format and the argument syntax are SystemTap's (sourceware.org/systemtap/wiki/
// UserSpaceProbeImplementation): each note's description is the probe's address, the link-time
// address of .stapsdt.base and the semaphore's address (8 bytes each), then the provider, name and
// argument specs as NUL-terminated strings. Each spec is SIZE@OPERAND with an x86-64 AT&T operand.
#include "runtime/binary/usdt.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <tuple>

#include "support/strings.h"

namespace ut::runtime {
namespace {

// A NUL-terminated string of `desc` from `at`; false when there is no NUL.
bool take_string(const std::string &desc, size_t &at, std::string &out) {
  size_t end = desc.find('\0', at);
  if (end == std::string::npos) return false;
  out = desc.substr(at, end - at);
  at = end + 1;
  return true;
}

uint64_t read_u64(const std::string &desc, size_t at) {
  uint64_t v = 0;
  memcpy(&v, desc.data() + at, 8);  // x86-64 only: the file is little-endian, as we are
  return v;
}

bool is_pattern(const std::string &text) {
  return text.find_first_of("*?") != std::string::npos;
}

// An x86-64 register as AT&T syntax writes it: the pt_regs field that holds it, its width and
// where in the field it lies (%ah is bits 8..15 of ax).
struct Register {
  const char *name;
  const char *field;
  int bytes;
  int shift;
};

const Register kRegisters[] = {
    {"rax", "ax", 8, 0}, {"eax", "ax", 4, 0}, {"ax", "ax", 2, 0},  {"al", "ax", 1, 0},
    {"ah", "ax", 1, 8},  {"rbx", "bx", 8, 0}, {"ebx", "bx", 4, 0}, {"bx", "bx", 2, 0},
    {"bl", "bx", 1, 0},  {"bh", "bx", 1, 8},  {"rcx", "cx", 8, 0}, {"ecx", "cx", 4, 0},
    {"cx", "cx", 2, 0},  {"cl", "cx", 1, 0},  {"ch", "cx", 1, 8},  {"rdx", "dx", 8, 0},
    {"edx", "dx", 4, 0}, {"dx", "dx", 2, 0},  {"dl", "dx", 1, 0},  {"dh", "dx", 1, 8},
    {"rsi", "si", 8, 0}, {"esi", "si", 4, 0}, {"si", "si", 2, 0},  {"sil", "si", 1, 0},
    {"rdi", "di", 8, 0}, {"edi", "di", 4, 0}, {"di", "di", 2, 0},  {"dil", "di", 1, 0},
    {"rbp", "bp", 8, 0}, {"ebp", "bp", 4, 0}, {"bp", "bp", 2, 0},  {"bpl", "bp", 1, 0},
    {"rsp", "sp", 8, 0}, {"esp", "sp", 4, 0}, {"sp", "sp", 2, 0},  {"spl", "sp", 1, 0},
    {"rip", "ip", 8, 0},
};

// %r8 .. %r15 and their parts: %r8d, %r8w, %r8b (also %r8l).
std::optional<Register> numbered_register(const std::string &name) {
  static const char *const kFields[] = {"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
  for (const char *field : kFields) {
    size_t n = strlen(field);
    if (name.compare(0, n, field) != 0) continue;
    std::string suffix = name.substr(n);
    if (suffix.empty()) return Register{"", field, 8, 0};
    if (suffix == "d") return Register{"", field, 4, 0};
    if (suffix == "w") return Register{"", field, 2, 0};
    if (suffix == "b" || suffix == "l") return Register{"", field, 1, 0};
  }
  return std::nullopt;
}

// "%edi" -> the register; nullopt when it is not one of the general-purpose registers.
std::optional<Register> find_register(std::string_view text) {
  if (text.empty() || text[0] != '%') return std::nullopt;
  std::string name(text.substr(1));
  for (const Register &r : kRegisters)
    if (name == r.name) return r;
  return numbered_register(name);
}

// A decimal or 0x-hexadecimal integer, optionally negative, filling all of `text`.
std::optional<int64_t> parse_integer(std::string_view text) {
  bool negative = !text.empty() && (text[0] == '-' || text[0] == '+');
  negative = negative && text[0] == '-';
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    int digit = isdigit(static_cast<unsigned char>(c))                  ? c - '0'
                : base == 16 && isxdigit(static_cast<unsigned char>(c)) ? tolower(c) - 'a' + 10
                                                                        : -1;
    if (digit < 0) return std::nullopt;
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
  }
  return static_cast<int64_t>(negative ? 0 - value : value);
}

// The displacement of a memory operand: "", "16", "-0x10", "counter", "counter+8".
bool parse_displacement(std::string_view text, UsdtArgument &arg) {
  if (text.empty()) return true;
  if (auto n = parse_integer(text)) {
    arg.value = *n;
    return true;
  }
  size_t sign = text.find_first_of("+-", 1);
  std::string_view symbol = text.substr(0, sign);
  if (symbol.empty() ||
      !(isalpha(static_cast<unsigned char>(symbol[0])) || symbol[0] == '_' || symbol[0] == '.'))
    return false;
  for (char c : symbol)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$')) return false;
  arg.symbol = std::string(symbol);
  if (sign == std::string_view::npos) return true;
  auto n = parse_integer(text.substr(sign));
  if (!n) return false;
  arg.value = *n;
  return true;
}

// OPERAND of one spec into `arg`: $CONSTANT, %REGISTER, or DISPLACEMENT(BASE,INDEX,SCALE) with
// any part of the parentheses left out.
bool parse_operand(std::string_view text, UsdtArgument &arg) {
  if (text.empty()) return false;
  if (text[0] == '$') {
    auto n = parse_integer(text.substr(1));
    if (!n) return false;
    arg.kind = UsdtArgument::Kind::Constant;
    arg.value = *n;
    return true;
  }
  if (text[0] == '%') {
    auto r = find_register(text);
    if (!r) return false;
    arg.kind = UsdtArgument::Kind::Register;
    arg.base = r->field;
    arg.shift = r->shift;
    return true;
  }
  arg.kind = UsdtArgument::Kind::Memory;
  size_t open = text.find('(');
  if (!parse_displacement(text.substr(0, open), arg)) return false;
  if (open == std::string_view::npos) return !arg.symbol.empty() || arg.value != 0;
  if (text.back() != ')') return false;
  std::string_view inside = text.substr(open + 1, text.size() - open - 2);
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t comma = inside.find(',', start);
    parts.push_back(inside.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (parts.size() > 3) return false;
  if (!parts[0].empty()) {
    auto base = find_register(parts[0]);
    if (!base || base->bytes != 8) return false;
    arg.base = base->field;
  }
  if (parts.size() >= 2) {
    auto index = find_register(parts[1]);
    if (!index || index->bytes != 8 || std::string(index->field) == "ip") return false;
    arg.index = index->field;
  }
  if (parts.size() == 3) {
    auto scale = parse_integer(parts[2]);
    if (!scale || (*scale != 1 && *scale != 2 && *scale != 4 && *scale != 8)) return false;
    arg.scale = static_cast<int>(*scale);
  }
  return !arg.base.empty() || !arg.index.empty();
}

std::string c_type(int size, bool is_signed) {
  return (is_signed ? "s" : "u") + std::to_string(size * 8);
}

// `value` as the argument's type holds it, widened back to 64 bits: 1@$-56 is 200.
int64_t truncated(int64_t value, int size, bool is_signed) {
  if (size == 8) return value;
  unsigned bits = static_cast<unsigned>(size) * 8;
  uint64_t low = static_cast<uint64_t>(value) & ((uint64_t{1} << bits) - 1);
  if (is_signed && (low >> (bits - 1)) != 0) low |= ~((uint64_t{1} << bits) - 1);
  return static_cast<int64_t>(low);
}

std::string c_integer(int64_t value) {
  if (value == INT64_MIN) return "(s64)0x8000000000000000ULL";
  return std::to_string(value) + "LL";
}

// " + 16", " - 16" or "" after a C address expression.
std::string c_offset(int64_t value) {
  if (value == 0) return "";
  uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  return (value < 0 ? " - " : " + ") + std::to_string(magnitude) + "ULL";
}

}  // namespace

Result<std::vector<UsdtProbe>> read_usdt_probes(const ElfFile &elf) {
  std::vector<UsdtProbe> probes;
  for (const std::string &desc : elf.stapsdt_notes()) {
    UsdtProbe p;
    size_t at = 24;
    if (desc.size() < at || !take_string(desc, at, p.provider) || !take_string(desc, at, p.name) ||
        !take_string(desc, at, p.arguments) || p.provider.empty() || p.name.empty())
      return Error("has a malformed USDT probe note (.note.stapsdt)");
    uint64_t pc = read_u64(desc, 0), base = read_u64(desc, 8), semaphore = read_u64(desc, 16);
    // Prelinking moves the file's sections but not the notes' addresses: .stapsdt.base says by
    // how much.
    uint64_t moved = elf.stapsdt_base() ? *elf.stapsdt_base() - base : 0;
    p.address = pc + moved;
    p.semaphore_address = semaphore != 0 ? semaphore + moved : 0;
    auto offset = elf.file_offset(p.address);
    if (!offset) return std::move(offset).error().context("USDT probe " + p.full_name());
    p.file_offset = *offset;
    if (p.semaphore_address != 0) {
      auto sem = elf.file_offset(p.semaphore_address);
      if (!sem)
        return std::move(sem).error().context("the semaphore of USDT probe " + p.full_name());
      p.semaphore_offset = *sem;
    }
    probes.push_back(std::move(p));
  }
  return probes;
}

Result<std::vector<UsdtProbe>> find_usdt_probes(const ElfFile &elf, const std::string &spec) {
  auto all = read_usdt_probes(elf);
  if (!all) return std::move(all).error();
  size_t colon = spec.find(':');
  bool short_form = colon == std::string::npos;
  std::string provider = short_form ? "*" : spec.substr(0, colon);
  std::string name = short_form ? spec : spec.substr(colon + 1);
  std::vector<UsdtProbe> found;
  for (UsdtProbe &p : *all)
    if (glob_match(provider, p.provider) && glob_match(name, p.name)) found.push_back(std::move(p));
  std::sort(found.begin(), found.end(), [](const UsdtProbe &a, const UsdtProbe &b) {
    return std::tie(a.provider, a.name, a.address) < std::tie(b.provider, b.name, b.address);
  });
  if (short_form && !is_pattern(name)) {
    std::vector<std::string> candidates;  // in the order found is in
    for (const UsdtProbe &p : found)
      if (candidates.empty() || candidates.back() != p.full_name())
        candidates.push_back(p.full_name());
    if (candidates.size() > 1) {
      std::string list;
      size_t i = 0;
      for (const std::string &c : candidates)
        list += (i++ == 0 ? "" : i == candidates.size() ? " or " : ", ") + c;
      return Error("USDT probe name '" + name + "' is ambiguous in " + elf.path() +
                   ": it could be " + list);
    }
  }
  return found;
}

Result<std::vector<UsdtArgument>> parse_usdt_arguments(std::string_view text) {
  std::vector<UsdtArgument> args;
  size_t at = 0;
  while (true) {
    at = text.find_first_not_of(' ', at);
    if (at == std::string_view::npos) break;
    size_t end = text.find(' ', at);
    std::string_view spec = text.substr(at, end - at);
    at = end;
    UsdtArgument arg;
    std::string_view operand = spec;
    bool sized = false;
    if (size_t sign = spec.find('@'); sign != std::string_view::npos) {
      auto size = parse_integer(spec.substr(0, sign));
      int bytes = size ? static_cast<int>(*size < 0 ? -*size : *size) : 0;
      if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8)
        return Error("cannot read the argument '" + std::string(spec) +
                     "': its size is not 1, 2, 4 or 8 bytes");
      arg.size = bytes;
      arg.is_signed = *size < 0;
      operand = spec.substr(sign + 1);
      sized = true;
    }
    if (!parse_operand(operand, arg))
      return Error("cannot read the argument '" + std::string(spec) +
                   "': not an x86-64 operand utrace knows");
    if (!sized && arg.kind == UsdtArgument::Kind::Register)
      arg.size = find_register(operand)->bytes;  // an old-style spec: the register's width
    args.push_back(std::move(arg));
  }
  return args;
}

Result<std::string> usdt_argument_c(const UsdtArgument &arg, const UsdtProbe &probe,
                                    const ElfFile &elf) {
  std::string type = c_type(arg.size, arg.is_signed);
  switch (arg.kind) {
    case UsdtArgument::Kind::Constant:
      return c_integer(truncated(arg.value, arg.size, arg.is_signed));
    case UsdtArgument::Kind::Register: {
      std::string reg = "ctx->" + arg.base;
      if (arg.shift) reg = "(" + reg + " >> " + std::to_string(arg.shift) + ")";
      return "(s64)(" + type + ")" + reg;
    }
    case UsdtArgument::Kind::Memory:
      break;
  }
  std::string address;
  int64_t displacement = arg.value;
  if (!arg.symbol.empty()) {
    auto symbol = elf.find_symbol(arg.symbol);
    if (!symbol) return std::move(symbol).error();
    // Where the file is loaded, the symbol is as far from the probe as in the file.
    address = "ctx->ip";
    displacement += static_cast<int64_t>(symbol->address - probe.address);
  } else if (arg.base == "ip") {
    return Error("cannot read an %rip-relative argument without a symbol");
  }
  if (!arg.base.empty() && arg.base != "ip")
    address += (address.empty() ? "" : " + ") + std::string("ctx->") + arg.base;
  if (!arg.index.empty())
    address += (address.empty() ? "" : " + ") + std::string("ctx->") + arg.index +
               (arg.scale != 1 ? " * " + std::to_string(arg.scale) : "");
  if (address.empty())
    address = std::to_string(static_cast<uint64_t>(displacement)) + "ULL";
  else
    address += c_offset(displacement);
  return "({ " + type + " ut_v = 0; bpf_probe_read_user(&ut_v, sizeof(ut_v), (void *)(" + address +
         ")); (s64)ut_v; })";
}

Result<std::vector<std::string>> usdt_macros(size_t probe_index, uint32_t args_read,
                                             const std::vector<UsdtPlace> &places) {
  // For each argument, each distinct C expression and the places that read it so.
  std::vector<std::vector<std::pair<std::string, std::vector<size_t>>>> cases(args_read);
  // The places of one probe in one file (inlined copies) are one value of `probe`: the
  // cookie of the first.
  std::map<std::string, size_t> first_place;
  std::vector<std::pair<size_t, size_t>> copies;  // (place, the first place of its probe)
  for (size_t place = 0; place < places.size(); ++place) {
    const UsdtProbe &u = *places[place].probe;
    std::string where = "usdt:" + places[place].elf->path() + ":" + u.full_name();
    auto [first, added] = first_place.emplace(where, place);
    if (!added) copies.emplace_back(place, first->second);
    if (args_read == 0) continue;
    auto args = parse_usdt_arguments(u.arguments);
    if (!args) return std::move(args).error().context(where);
    if (args->size() < args_read) {
      size_t count = args->size();
      std::string has = count == 0   ? "has no arguments"
                        : count == 1 ? "has 1 argument (arg0)"
                                     : "has " + std::to_string(count) + " arguments (arg0 to arg" +
                                           std::to_string(count - 1) + ")";
      return Error(where + " " + has + ": arg" + std::to_string(args_read - 1) +
                   " is not one of them");
    }
    for (uint32_t n = 0; n < args_read; ++n) {
      auto c = usdt_argument_c((*args)[n], u, *places[place].elf);
      if (!c) return std::move(c).error().context(where + ": arg" + std::to_string(n));
      auto same = std::find_if(cases[n].begin(), cases[n].end(),
                               [&](const auto &e) { return e.first == *c; });
      if (same == cases[n].end()) same = cases[n].insert(cases[n].end(), {*c, {}});
      same->second.push_back(place);
    }
  }

  std::vector<std::string> macros;
  std::string probe = "bpf_get_attach_cookie(ctx)";
  if (!copies.empty()) {
    probe = "({ u64 ut_c = bpf_get_attach_cookie(ctx); switch ((u32)ut_c) {";
    for (const auto &[place, first] : copies)
      probe += " case " + std::to_string(place) +
               ": ut_c = " + std::to_string(codegen::attach_cookie(probe_index, first)) +
               "ULL; break;";
    probe += " } ut_c; })";
  }
  macros.push_back(codegen::usdt_probe_macro(probe_index) + "(ctx)=" + probe);
  for (uint32_t n = 0; n < args_read; ++n) {
    std::string body;
    if (cases[n].empty()) {  // no places (--missing-probes=warn): the program never runs
      body = "0";
    } else if (cases[n].size() == 1) {
      body = cases[n][0].first;
    } else {
      body = "({ s64 ut_arg = 0; switch ((u32)bpf_get_attach_cookie(ctx)) {";
      for (const auto &[c, at] : cases[n]) {
        for (size_t place : at) body += " case " + std::to_string(place) + ":";
        body += " ut_arg = " + c + "; break;";
      }
      body += " } ut_arg; })";
    }
    macros.push_back(codegen::usdt_argument_macro(probe_index, n) + "(ctx)=" + body);
  }
  return macros;
}

}  // namespace ut::runtime
