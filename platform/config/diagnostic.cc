#include "platform/config/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace kiln::config {

std::string Diagnostic::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!field.empty()) out += field + ": ";
  out += message;
  return out;
}

void sort_diagnostics(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.file, a.line, a.column, a.field, a.message) <
                            std::tie(b.file, b.line, b.column, b.field, b.message);
                   });
}

}  // namespace kiln::config
