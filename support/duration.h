// Duration literals ("100ms", "1s", "2h"), used in expressions and attach points.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ut {

// The duration in nanoseconds: decimal digits followed by ns, us, ms, s, m, h or d. nullopt when
// the text is not a duration or the value does not fit in 64 bits.
inline std::optional<uint64_t> parse_duration_ns(std::string_view text) {
  static const struct {
    std::string_view suffix;
    uint64_t ns;
  } kUnits[] = {
      {"ns", 1ull},
      {"us", 1000ull},
      {"ms", 1000000ull},
      {"s", 1000000000ull},
      {"m", 60000000000ull},
      {"h", 3600000000000ull},
      {"d", 86400000000000ull},
  };
  size_t digits = 0;
  uint64_t count = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    uint64_t d = static_cast<uint64_t>(text[digits] - '0');
    if (count > (UINT64_MAX - d) / 10) return std::nullopt;
    count = count * 10 + d;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  for (const auto &u : kUnits) {
    if (text.substr(digits) != u.suffix) continue;
    if (count > UINT64_MAX / u.ns) return std::nullopt;
    return count * u.ns;
  }
  return std::nullopt;
}

}  // namespace ut
