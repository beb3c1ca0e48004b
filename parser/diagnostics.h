// Errors and warnings about a script, collected with source ranges and rendered in one place:
//   stdin:1:14-15: ERROR: syntax error, unexpected ;
//   BEGIN { $x = ; }
//                ~
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "support/source.h"

namespace ut {

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  std::optional<Range> range;  // absent for errors about the run rather than the text
  std::string message;
  std::string hint_text;

  // Adds a "HINT: ..." line under the message.
  Diagnostic &hint(std::string text) {
    hint_text = std::move(text);
    return *this;
  }
};

class Diagnostics {
 public:
  Diagnostic &error(const Range &range, std::string message);
  Diagnostic &warning(const Range &range, std::string message);
  Diagnostic &error(std::string message);  // no location

  bool has_errors() const;
  const std::vector<Diagnostic> &all() const { return items_; }

  // Renders every diagnostic in the order reported.
  void render(std::ostream &out, const SourceFile &src) const;

 private:
  std::vector<Diagnostic> items_;
};

// One diagnostic as text, ending in a newline.
std::string render(const Diagnostic &d, const SourceFile &src);

}  // namespace ut
