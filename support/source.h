// Script text and positions in it. Lines and columns are 1-based; a Range's end column is
// exclusive, so `~` marks columns [begin.column, end.column).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ut {

struct Position {
  uint32_t line = 1;
  uint32_t column = 1;
};

struct Range {
  Position begin;
  Position end;
};

// A script as the user gave it. `name` is what diagnostics print: the path, or "stdin" for -e.
struct SourceFile {
  std::string name;
  std::string text;

  // The text of 1-based line `line`, without its newline; empty past the end.
  std::string_view line(uint32_t line) const {
    size_t start = 0;
    for (uint32_t l = 1; l < line; ++l) {
      start = text.find('\n', start);
      if (start == std::string::npos) return {};
      ++start;
    }
    size_t end = text.find('\n', start);
    return std::string_view(text).substr(start, end == std::string::npos ? end : end - start);
  }
};

}  // namespace ut
