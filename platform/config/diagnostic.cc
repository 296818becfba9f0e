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

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, code = lead & 0x1fU;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, code = lead & 0x0fU;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, code = lead & 0x07U;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0U) != 0x80) return 0;
    code = (code << 6U) | (byte(i + k) & 0x3fU);
  }
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
  const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
  if (overlong || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return 0;
  return length;
}

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
