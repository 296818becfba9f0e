#include "platform/config/key_suggestion.h"

#include <algorithm>
#include <cctype>

namespace kiln::config {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  // Three rows suffice: the transposition looks two rows back.
  std::vector<std::size_t> back2(m + 1), back1(m + 1), row(m + 1);
  for (std::size_t j = 0; j <= m; ++j) back1[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({back1[j] + 1, row[j - 1] + 1, back1[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], back2[j - 2] + 1);
      }
    }
    back2.swap(back1);
    back1.swap(row);
  }
  return back1[m];
}

std::optional<std::string> suggest(std::string_view word, const std::vector<std::string>& known) {
  const std::string folded = lower(word);
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const std::string& candidate : known) {
    const std::size_t limit = candidate.size() <= 4 ? 1 : 2;
    // The distance is at least the difference in length: a long key costs nothing here.
    const std::size_t longer = std::max(folded.size(), candidate.size());
    if (longer - std::min(folded.size(), candidate.size()) > limit) continue;
    const std::size_t d = edit_distance(folded, lower(candidate));
    if (d > limit || d == folded.size()) continue;  // replacing every letter is no typo
    if (!best || d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace kiln::config
