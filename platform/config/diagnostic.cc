#include "platform/config/diagnostic.h"

#include <algorithm>
#include <cstdint>
#include <tuple>

namespace kiln::config {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_hex(std::string& out, std::uint8_t byte) {
  out += "\\x";
  out += kHex[byte >> 4];
  out += kHex[byte & 0xf];
}

}  // namespace

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<std::uint8_t>(text[i]);
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {  // not UTF-8: the byte, in hex
      append_hex(out, c);
      ++i;
    } else if (length == 1) {
      if (c == '\n') {
        out += "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c < 0x20 || c == 0x7f) {
        append_hex(out, c);
      } else {
        out += static_cast<char>(c);
      }
      ++i;
    } else if (length == 2 && c == 0xc2 && static_cast<std::uint8_t>(text[i + 1]) < 0xa0) {
      out += "\\u00";  // a C1 control (U+0080..U+009F): terminals act on some of them
      out += kHex[(static_cast<std::uint8_t>(text[i + 1]) >> 4) & 0xf];
      out += kHex[static_cast<std::uint8_t>(text[i + 1]) & 0xf];
      i += 2;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string Diagnostic::to_string() const {
  std::string out = escape_text(file);
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!field.empty()) out += escape_text(field) + ": ";
  out += escape_text(message);
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
