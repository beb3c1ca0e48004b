#include "runtime/output/printf.h"

#include <cstdio>

namespace ut::runtime {

std::string format_printf(const codegen::FormatSpec &spec, const std::vector<Value> &args) {
  std::string out;
  size_t next = 0;
  char buf[512];
  for (const codegen::FormatPiece &piece : spec.pieces) {
    if (!piece.is_conversion) {
      out += piece.text;
      continue;
    }
    const Value &v = args.at(next++);
    std::string fmt = piece.text;
    int n = 0;
    switch (piece.conversion) {
      case 's':
        n = snprintf(buf, sizeof(buf), (fmt + "s").c_str(),
                     v.type.is_string() ? v.s.c_str() : v.text().c_str());
        break;
      case 'r':  // buf(): its bytes escaped, then width and alignment as for %s
        n = snprintf(buf, sizeof(buf), (fmt + "s").c_str(),
                     buffer_text(v.s, piece.variant).c_str());
        break;
      case 'c':
        n = snprintf(buf, sizeof(buf), (fmt + "c").c_str(), static_cast<int>(v.i));
        break;
      case 'p':
        n = snprintf(buf, sizeof(buf), (fmt + "p").c_str(), reinterpret_cast<void *>(v.i));
        break;
      case 'd':
        n = snprintf(buf, sizeof(buf), (fmt + "lld").c_str(), static_cast<long long>(v.i));
        break;
      default:  // u x X o
        n = snprintf(buf, sizeof(buf), (fmt + "ll" + piece.conversion).c_str(),
                     static_cast<unsigned long long>(v.i));
        break;
    }
    if (n > 0) out.append(buf, std::min<size_t>(n, sizeof(buf) - 1));
  }
  return out;
}

}  // namespace ut::runtime
