#include "codegen/tracepoints.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "codegen/lower_context.h"
#include "codegen/semantic.h"
#include "support/strings.h"

namespace ut::codegen {
namespace {

std::string trim(const std::string &s) {
  size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t");
  return s.substr(begin, end + 1 - begin);
}

bool is_word_char(char c) {
  return isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// What a declaration ("const char * filename", "char comm[16]", "__data_loc char[] name") says
// about reading the field; scalars must lie at a multiple of their size, as the verifier reads
// the context only so.
TracepointFieldKind field_kind(const std::string &type, const std::string &array,
                               const TracepointField &f) {
  auto is_char = [](const std::string &t) { return t == "char" || t == "const char"; };
  for (const char *prefix : {"__data_loc ", "__rel_loc "}) {
    if (type.rfind(prefix, 0) != 0) continue;
    std::string element = trim(type.substr(strlen(prefix)));
    bool chars = element.size() > 2 && element.compare(element.size() - 2, 2, "[]") == 0 &&
                 is_char(trim(element.substr(0, element.size() - 2)));
    if (!chars || f.size != 4 || f.offset % 4 != 0) return TracepointFieldKind::Unsupported;
    return strcmp(prefix, "__data_loc ") == 0 ? TracepointFieldKind::DataLoc
                                              : TracepointFieldKind::RelLoc;
  }
  if (!array.empty())
    return is_char(type) ? TracepointFieldKind::CharArray : TracepointFieldKind::Unsupported;
  bool scalar =
      (f.size == 1 || f.size == 2 || f.size == 4 || f.size == 8) && f.offset % f.size == 0;
  if (!scalar) return TracepointFieldKind::Unsupported;
  if (type.find('*') != std::string::npos)
    return f.size == 8 ? TracepointFieldKind::Pointer : TracepointFieldKind::Unsupported;
  return TracepointFieldKind::Integer;
}

// "const char * filename" -> the field's declaration and name, its type ("const char *") and
// array suffix ("[16]" of "char comm[16]").
bool parse_declaration(const std::string &declaration, TracepointField &f, std::string &type,
                       std::string &array) {
  std::string decl = trim(declaration);
  if (!decl.empty() && decl.back() == ']') {  // char comm[16]
    size_t open = decl.rfind('[');
    if (open == std::string::npos) return false;
    array = decl.substr(open);
    decl = trim(decl.substr(0, open));
  }
  size_t begin = decl.size();
  while (begin > 0 && is_word_char(decl[begin - 1])) --begin;
  if (begin == decl.size() || begin == 0) return false;
  f.declaration = trim(declaration);
  f.name = decl.substr(begin);
  type = trim(decl.substr(0, begin));
  return true;
}

// "offset:24" -> 24.
bool number_after(const std::string &part, const char *key, uint32_t &value) {
  std::string p = trim(part);
  if (p.rfind(key, 0) != 0) return false;
  std::string digits = p.substr(strlen(key));
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return isdigit(c); }))
    return false;
  value = static_cast<uint32_t>(std::stoul(digits));
  return true;
}

std::string c_identifier(const std::string &text) {
  std::string out;
  for (char c : text) out += is_word_char(c) ? c : '_';
  return out;
}

// The C member that holds a field in tracepoint_struct().
std::string member(const TracepointField &f) {
  switch (f.kind) {
    case TracepointFieldKind::Integer:
      return std::string(f.is_signed ? "s" : "u") + std::to_string(f.size * 8) + " " + f.name;
    case TracepointFieldKind::Pointer:
      return "u64 " + f.name;
    case TracepointFieldKind::CharArray:
      return "char " + f.name + "[" + std::to_string(f.size) + "]";
    case TracepointFieldKind::DataLoc:
    case TracepointFieldKind::RelLoc:
      return "u32 " + f.name;
    case TracepointFieldKind::Unsupported:
      break;
  }
  return "u8 " + f.name + "[" + std::to_string(f.size) + "]";
}

// Two attach points' types of one field, as one: integers widen to 64 bits, strings to the
// longer; none() when they cannot be one type.
Type common_type(const Type &a, const Type &b) {
  if (a == b) return a;
  if (a.is_integer() && b.is_integer()) return Type::integer(64, a.is_signed || b.is_signed);
  if (a.is_string() && b.is_string()) return Type::string(std::max(a.size, b.size));
  return Type::none();
}

}  // namespace

const TracepointField *TracepointFormat::field(const std::string &field_name) const {
  for (const TracepointField &f : fields)
    if (f.name == field_name) return &f;
  return nullptr;
}

Result<TracepointFormat> parse_tracepoint_format(const std::string &category,
                                                 const std::string &name, const std::string &text) {
  TracepointFormat format;
  format.category = category;
  format.name = name;
  format.common_size = 0;
  std::istringstream lines(text);
  std::string line;
  bool any = false;
  while (std::getline(lines, line)) {
    std::string l = trim(line);
    if (l.rfind("field:", 0) != 0) continue;
    // field:DECLARATION;	offset:N;	size:N;	signed:N;
    std::vector<std::string> parts;
    std::istringstream split(l.substr(6));
    for (std::string part; std::getline(split, part, ';');) parts.push_back(part);
    TracepointField f;
    std::string type, array;
    uint32_t is_signed = 0;
    if (parts.size() < 3 || !parse_declaration(parts[0], f, type, array) ||
        !number_after(parts[1], "offset:", f.offset) || !number_after(parts[2], "size:", f.size) ||
        (parts.size() > 3 && !trim(parts[3]).empty() &&
         !number_after(parts[3], "signed:", is_signed)))
      return Error("cannot read the format of " + category + ":" + name + ": '" + l + "'");
    f.is_signed = is_signed != 0;
    f.kind = field_kind(type, array, f);
    any = true;
    if (f.name.rfind("common_", 0) == 0) {
      format.common_size = std::max(format.common_size, f.offset + f.size);
      continue;
    }
    if (f.kind == TracepointFieldKind::Integer && f.offset < format.common_size)
      f.kind = TracepointFieldKind::Unsupported;
    format.fields.push_back(std::move(f));
  }
  if (!any) return Error("the format of " + category + ":" + name + " lists no fields");
  std::sort(format.fields.begin(), format.fields.end(),
            [](const TracepointField &a, const TracepointField &b) { return a.offset < b.offset; });
  return format;
}

Type tracepoint_field_type(const TracepointField &field) {
  switch (field.kind) {
    case TracepointFieldKind::Integer:
      return Type::integer(field.size * 8, field.is_signed);
    case TracepointFieldKind::Pointer:
      return Type::integer(64, false);
    case TracepointFieldKind::CharArray:
      return Type::string(std::min(field.size, kMapStringSize));
    case TracepointFieldKind::DataLoc:
    case TracepointFieldKind::RelLoc:
      return Type::string(kMapStringSize);
    case TracepointFieldKind::Unsupported:
      break;
  }
  return Type::none();
}

std::vector<AttachInfo> expand_tracepoints(const AttachInfo &pattern, TracepointCatalog *catalog,
                                           Diagnostics &diags, bool missing_is_warning) {
  const Range &where = pattern.node->range;
  if (!catalog) {
    diags.error(where, pattern.name + ": the kernel's tracepoints are not known here");
    return {};
  }
  std::string wanted = pattern.name.substr(pattern.name.find(':') + 1);
  auto matches = catalog->match(wanted);
  if (!matches) {
    diags.error(where, pattern.name + ": " + matches.error().message());
    return {};
  }
  if (matches->empty()) {
    auto &d = missing_is_warning ? diags.warning(where, pattern.name +
                                                            " matches no tracepoint; the probe is "
                                                            "left out")
                                 : diags.error(where, pattern.name + " matches no tracepoint");
    if (wanted.find_first_of("*?") == std::string::npos) {
      auto all = catalog->match("*:*");
      if (all) {
        if (std::string near = nearest_name(wanted, *all); !near.empty())
          d.hint("did you mean 'tracepoint:" + near + "'?");
      }
    }
    return {};
  }
  std::vector<AttachInfo> out;
  for (const std::string &match : *matches) {
    size_t colon = match.find(':');
    auto format = catalog->format(match.substr(0, colon), match.substr(colon + 1));
    if (!format) {
      diags.error(where, "tracepoint:" + match + ": " + format.error().message());
      continue;
    }
    AttachInfo a = pattern;
    a.name = format->probe_name();
    a.tracepoint = std::make_shared<const TracepointFormat>(std::move(*format));
    out.push_back(std::move(a));
  }
  return out;
}

bool is_tracepoint_args(const ast::Field &f) {
  return f.base->kind == ast::Expr::Kind::Identifier &&
         ast::as<ast::Identifier>(*f.base).name == "args";
}

Type check_tracepoint_field(const ast::Field &f, const std::vector<AttachInfo> &attach_points,
                            Diagnostics &diags) {
  for (const AttachInfo &a : attach_points) {
    if (a.tracepoint) continue;
    diags
        .error(f.range, "args->" + f.name + " reads a tracepoint field, but " + a.name +
                            " is not a tracepoint")
        .hint("give tracepoints a probe of their own");
    return Type::none();
  }
  Type result;
  const AttachInfo *first = nullptr;
  for (const AttachInfo &a : attach_points) {
    const TracepointFormat &format = *a.tracepoint;
    const TracepointField *field = format.field(f.name);
    if (!field) {
      auto &d = diags.error(f.range, format.probe_name() + " has no field '" + f.name + "'");
      std::vector<std::string> names;
      for (const TracepointField &each : format.fields) names.push_back(each.name);
      if (std::string near = nearest_name(f.name, names); !near.empty()) {
        d.hint("did you mean '" + near + "'?");
      } else if (!names.empty()) {
        std::string list;
        for (const std::string &n : names) list += (list.empty() ? "" : ", ") + n;
        d.hint("its fields are " + list);
      }
      return Type::none();
    }
    Type t = tracepoint_field_type(*field);
    if (t.is_none()) {
      diags.error(f.range, format.probe_name() + ": utrace cannot read field '" +
                               field->declaration + "' yet");
      return Type::none();
    }
    if (!first) {
      first = &a;
      result = t;
      continue;
    }
    Type both = common_type(result, t);
    if (both.is_none()) {
      diags.error(f.range, "args->" + f.name + " is " + result.str() + " in " + first->name +
                               " but " + t.str() + " in " + a.name);
      return Type::none();
    }
    result = both;
  }
  return result;
}

std::string tracepoint_struct_name(const TracepointFormat &format) {
  return "tp_" + c_identifier(format.category) + "_" + c_identifier(format.name);
}

std::string tracepoint_struct(const TracepointFormat &format) {
  std::string out = "/* " + format.probe_name() + ": its record, as events/" + format.category +
                    "/" + format.name + "/format lays it out */\nstruct " +
                    tracepoint_struct_name(format) + " {\n";
  uint32_t at = 0;
  auto pad_to = [&](uint32_t offset) {
    if (offset > at)
      out += "  u8 ut_pad_" + std::to_string(at) + "[" + std::to_string(offset - at) + "];\n";
    at = std::max(at, offset);
  };
  if (format.common_size == 8) {
    out += "  u64 ut_common;  /* the common fields; a pt_regs pointer while BPF runs */\n";
    at = 8;
  } else if (format.common_size > 0) {
    out += "  u8 ut_common[" + std::to_string(format.common_size) +
           "];  /* the common fields; a pt_regs pointer while BPF runs */\n";
    at = format.common_size;
  }
  for (const TracepointField &f : format.fields) {
    if (f.offset < at) continue;  // overlaps what came before: not declared, never read
    pad_to(f.offset);
    out += "  " + member(f) + ";  /* " + f.declaration + " */\n";
    at = f.offset + f.size;
  }
  return out + "};\n\n";
}

std::string lower_tracepoint_field(LowerContext &lc, const ast::Field &f) {
  const TracepointField &field = *lc.attach().tracepoint->field(f.name);
  const Type &t = lc.sema().type_of(f);
  std::string member = "ctx->" + field.name;
  switch (field.kind) {
    case TracepointFieldKind::Integer:
    case TracepointFieldKind::Pointer:
      return t == tracepoint_field_type(field) ? member : "((" + t.c_type() + ")" + member + ")";
    case TracepointFieldKind::CharArray: {
      std::string v = lc.temp(t);
      lc.emit("__builtin_memcpy(" + v + ", " + member + ", " +
              std::to_string(std::min(field.size, t.size)) + ");");
      return v;
    }
    case TracepointFieldKind::DataLoc:
    case TracepointFieldKind::RelLoc: {
      // The low 16 bits place the string in the record: from its start, or (__rel_loc) from the
      // end of the field.
      std::string base = field.kind == TracepointFieldKind::DataLoc
                             ? "(char *)ctx"
                             : "(char *)&" + member + " + sizeof(" + member + ")";
      std::string v = lc.temp(t);
      lc.emit("bpf_probe_read_kernel_str(&" + v + ", sizeof(" + v + "), " + base + " + (" + member +
              " & 0xffff));");
      return v;
    }
    case TracepointFieldKind::Unsupported:
      break;
  }
  return "0";  // refused by analysis
}

}  // namespace ut::codegen
