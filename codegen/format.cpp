#include "codegen/format.h"

#include <cstring>

namespace ut::codegen {

Result<FormatSpec> parse_format(const std::string &format) {
  FormatSpec spec;
  spec.format = format;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) spec.pieces.push_back({literal, false, 0});
    literal.clear();
  };
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      literal += format[i];
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '%') {
      literal += '%';
      ++i;
      continue;
    }
    size_t start = i++;
    std::string written = "%";
    while (i < format.size() && (format[i] == '-' || format[i] == '0')) written += format[i++];
    while (i < format.size() && isdigit(static_cast<unsigned char>(format[i])))
      written += format[i++];
    if (i < format.size() && format[i] == '.') {
      written += format[i++];
      while (i < format.size() && isdigit(static_cast<unsigned char>(format[i])))
        written += format[i++];
    }
    while (i < format.size() && strchr("hljzt", format[i])) ++i;  // lengths: all values are 64-bit
    if (i >= format.size() || !strchr("diuxXocspr", format[i])) {
      return Error("invalid format specifier '" + format.substr(start, i - start + 1) + "'");
    }
    flush();
    char conv = format[i] == 'i' ? 'd' : format[i];
    char variant = 0;
    if (conv == 'r' && i + 1 < format.size() && (format[i + 1] == 'x' || format[i + 1] == 'h'))
      variant = format[++i];
    spec.pieces.push_back({written, true, conv, variant});
  }
  flush();
  return spec;
}

size_t conversion_count(const FormatSpec &spec) {
  size_t n = 0;
  for (const auto &p : spec.pieces) n += p.is_conversion;
  return n;
}

}  // namespace ut::codegen
