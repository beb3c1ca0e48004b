#include "parser/diagnostics.h"

#include <algorithm>
#include <ostream>

namespace ut {

Diagnostic &Diagnostics::error(const Range &range, std::string message) {
  items_.push_back({Severity::Error, range, std::move(message), {}});
  return items_.back();
}

Diagnostic &Diagnostics::warning(const Range &range, std::string message) {
  items_.push_back({Severity::Warning, range, std::move(message), {}});
  return items_.back();
}

Diagnostic &Diagnostics::error(std::string message) {
  items_.push_back({Severity::Error, std::nullopt, std::move(message), {}});
  return items_.back();
}

bool Diagnostics::has_errors() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Diagnostic &d) { return d.severity == Severity::Error; });
}

void Diagnostics::render(std::ostream &out, const SourceFile &src) const {
  for (const auto &d : items_) out << ut::render(d, src);
}

namespace {

// Tabs are shown as four spaces, so columns are mapped through the same expansion.
std::string expand_tabs(std::string_view line) {
  std::string out;
  for (char c : line) out += c == '\t' ? std::string(4, ' ') : std::string(1, c);
  return out;
}

size_t display_column(std::string_view line, uint32_t column) {
  size_t width = 0;
  for (size_t i = 0; i + 1 < column && i < line.size(); ++i) width += line[i] == '\t' ? 4 : 1;
  if (column > line.size() + 1) width += column - 1 - line.size();
  return width;
}

}  // namespace

std::string render(const Diagnostic &d, const SourceFile &src) {
  const char *label = d.severity == Severity::Error ? "ERROR" : "WARNING";
  std::string out;
  if (!d.range) {
    out = std::string(label) + ": " + d.message + "\n";
  } else {
    const Range &r = *d.range;
    if (r.begin.line != r.end.line) {
      out = src.name + ":" + std::to_string(r.begin.line) + "-" + std::to_string(r.end.line) +
            ": " + label + ": " + d.message + "\n";
    } else {
      std::string_view line = src.line(r.begin.line);
      size_t from = display_column(line, r.begin.column);
      size_t to = std::max(from, display_column(line, r.end.column));
      out = src.name + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) +
            "-" + std::to_string(r.end.column) + ": " + label + ": " + d.message + "\n" +
            expand_tabs(line) + "\n" + std::string(from, ' ') + std::string(to - from, '~') + "\n";
    }
  }
  if (!d.hint_text.empty()) out += "HINT: " + d.hint_text + "\n";
  return out;
}

}  // namespace ut
