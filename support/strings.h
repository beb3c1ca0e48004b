// Small string utilities shared by every layer.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace ut {

// Levenshtein distance: how many single-character edits turn `a` into `b`.
inline size_t edit_distance(const std::string &a, const std::string &b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

// The candidate closest to `word`, if it is at most two edits away; empty otherwise.
template <typename Names>
std::string nearest_name(const std::string &word, const Names &candidates) {
  std::string best;
  size_t best_distance = 3;
  for (const std::string &c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace ut
