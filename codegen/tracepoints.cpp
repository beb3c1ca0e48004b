#include "codegen/tracepoints.h"

#include <algorithm>

#include "codegen/lower_context.h"
#include "codegen/semantic.h"
#include "support/strings.h"

namespace ut::codegen {
namespace {

std::string c_identifier(const std::string &text) {
  std::string out;
  for (char c : text) out += isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
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
