#include "platform/config/yaml_source.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

#include "platform/config/yaml_document.h"

namespace kiln::config::detail {
namespace {

constexpr std::string_view kBom = "\xef\xbb\xbf";
constexpr int kMaxDepth = 64;

// YAML 1.2's c-printable (5.1), minus the byte order mark it allows anywhere but we only at the
// start: x9 | xA | xD | x20-x7E | x85 | xA0-xD7FF | xE000-xFFFD | x10000-x10FFFF.
bool printable(std::uint32_t code) {
  return code == 0x9 || code == 0xa || code == 0xd || (code >= 0x20 && code <= 0x7e) ||
         code == 0x85 || (code >= 0xa0 && code <= 0xd7ff) ||
         (code >= 0xe000 && code <= 0xfffd && code != 0xfeff) || code >= 0x10000;
}

std::uint32_t decode(std::string_view text, std::size_t i, std::size_t length) {
  const auto lead = static_cast<std::uint8_t>(text[i]);
  if (length == 1) return lead;
  std::uint32_t code = lead & (0xffU >> (length + 1));
  for (std::size_t k = 1; k < length; ++k) {
    code = (code << 6U) | (static_cast<std::uint8_t>(text[i + k]) & 0x3fU);
  }
  return code;
}

// The line and column (1-based, columns in bytes as yaml-cpp counts them) of byte `offset`.
Position position_at(std::string_view text, std::size_t offset) {
  Position at{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
  }
  return at;
}

// The offset just past the closing quote of the quoted scalar opening at `open`, or nullopt when
// the file ends first. YAML escapes: '' in single quotes, a backslash in double quotes.
std::optional<std::size_t> quoted_end(std::string_view text, std::size_t open) {
  const char quote = text[open];
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;
        continue;
      }
      return i + 1;
    }
  }
  return std::nullopt;
}

class StructureCheck {
 public:
  StructureCheck(const std::string& file, std::string_view text, std::size_t base,
                 std::size_t max_nodes, std::vector<Diagnostic>& diagnostics)
      : file_(file), text_(text), base_(base), max_nodes_(max_nodes), diagnostics_(diagnostics) {}

  void visit(const YAML::Node& node, int depth) {
    if (++nodes_ > max_nodes_ || depth > kMaxDepth) return;  // to_json reports the size
    if (node.IsScalar()) {
      quote_end(node);
    } else if (node.IsSequence()) {
      for (const YAML::Node& item : node) visit(item, depth + 1);
    } else if (node.IsMap()) {
      const bool block = node.Style() != YAML::EmitterStyle::Flow;
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (block && it->first.IsScalar() && it->second.IsNull()) {
          check_colon(it->first);  // also checks the key's quotes
        } else {
          visit(it->first, depth + 1);
        }
        visit(it->second, depth + 1);
      }
    }
  }

  bool ok() const { return ok_; }

 private:
  // Where the scalar's source starts, or nullopt if yaml-cpp recorded no position.
  std::optional<std::size_t> start_of(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null() || mark.pos < 0) return std::nullopt;
    const std::size_t at = base_ + static_cast<std::size_t>(mark.pos);
    if (at >= text_.size()) return std::nullopt;
    return at;
  }

  // Just past the closing quote of a quoted scalar; nullopt for a quote left open (reported)
  // or a scalar that is not quoted (plain, block, tagged).
  std::optional<std::size_t> quote_end(const YAML::Node& node) {
    const auto start = start_of(node);
    if (!start) return std::nullopt;
    const char first = text_[*start];
    if (first != '"' && first != '\'') return std::nullopt;
    // An alias visits its scalar again: scan each quoted scalar of the text once.
    if (const auto seen = quotes_.find(*start); seen != quotes_.end()) return seen->second;
    auto end = quoted_end(text_, *start);
    quotes_.emplace(*start, end);
    if (!end) {
      report(node, std::string("the quote (") + first +
                       ") opened here is never closed (it would swallow the rest of the "
                       "file); expected a closing " +
                       first);
    }
    return end;
  }

  // A key with a null value in a block mapping: its line must have had a ':' after the key
  // (`key:`), or the key be an explicit `? key`.
  void check_colon(const YAML::Node& key) {
    ++nodes_;
    const auto start = start_of(key);
    if (!start) return;
    std::size_t before = *start;
    while (before > 0 && (text_[before - 1] == ' ' || text_[before - 1] == '\t')) --before;
    if (before > 0 && text_[before - 1] == '?') return;
    std::size_t i = *start;
    const char first = text_[i];
    if (first == '"' || first == '\'') {
      const auto end = quote_end(key);  // reports a quote left open
      if (!end) return;
      i = *end;
      while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t')) ++i;
      if (i < text_.size() && text_[i] == ':') return;
    } else if (key.Tag() == "?") {
      // A plain key cannot hold ": " and is one line: the first ':' before a space, a tab or
      // the line's end, on this line and before a comment, ends it.
      for (; i < text_.size() && text_[i] != '\n' && text_[i] != '\r'; ++i) {
        if (text_[i] == '#' && i > *start && (text_[i - 1] == ' ' || text_[i - 1] == '\t')) break;
        if (text_[i] != ':') continue;
        if (i + 1 == text_.size() || text_[i + 1] == ' ' || text_[i + 1] == '\t' ||
            text_[i + 1] == '\n' || text_[i + 1] == '\r') {
          return;
        }
      }
    } else {
      return;  // a tagged key: its end is not simply found
    }
    constexpr std::size_t kShown = 60;  // enough to recognise, short enough to read
    const std::string& text = key.Scalar();
    report(key, "a line without ':' ('" +
                    (text.size() > kShown ? text.substr(0, kShown) + "..." : text) +
                    "' would become a key with no value); expected 'key: value'");
  }

  void report(const YAML::Node& node, std::string message) {
    ok_ = false;
    diagnostics_.push_back(diagnostic_at(file_, position_of(node, {1, 1}), "", std::move(message)));
  }

  const std::string& file_;
  std::string_view text_;
  std::size_t base_;  // yaml-cpp's offsets start after a byte order mark
  std::size_t max_nodes_;
  std::vector<Diagnostic>& diagnostics_;
  std::size_t nodes_ = 0;
  std::map<std::size_t, std::optional<std::size_t>> quotes_;  // quote offset -> just past its end
  bool ok_ = true;
};

}  // namespace

bool check_characters(const std::string& file, const std::string& text,
                      std::vector<Diagnostic>& diagnostics) {
  const std::string_view all = text;
  const std::size_t start = all.starts_with(kBom) ? kBom.size() : 0;
  for (std::size_t i = start; i < text.size();) {
    const std::size_t length = utf8_sequence_length(all, i);
    if (length == 0) {
      diagnostics.push_back(diagnostic_at(
          file, position_at(all.substr(start), i - start), "",
          "byte " + escape_text(all.substr(i, 1)) + " is not UTF-8; expected a UTF-8 file"));
      return false;
    }
    const std::uint32_t code = decode(all, i, length);
    if (!printable(code)) {
      diagnostics.push_back(diagnostic_at(
          file, position_at(all.substr(start), i - start), "",
          "a control character (" + escape_text(all.substr(i, length)) +
              ") is not allowed in YAML; expected printable text (write \\t or \\n in a "
              "double-quoted string)"));
      return false;
    }
    i += length;
  }
  return true;
}

bool check_structure(const std::string& file, const std::string& text, const YAML::Node& root,
                     std::size_t max_nodes, std::vector<Diagnostic>& diagnostics) {
  const std::size_t base = std::string_view(text).starts_with(kBom) ? kBom.size() : 0;
  StructureCheck check(file, text, base, max_nodes, diagnostics);
  check.visit(root, 0);
  return check.ok();
}

}  // namespace kiln::config::detail
