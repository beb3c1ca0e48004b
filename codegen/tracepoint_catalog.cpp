#include "codegen/tracepoint_catalog.h"

#include <algorithm>
#include <cstring>
#include <sstream>

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

}  // namespace ut::codegen
