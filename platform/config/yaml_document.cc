#include "platform/config/yaml_document.h"

#include <yaml-cpp/eventhandler.h>

#include <charconv>
#include <cstddef>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "platform/config/yaml_scalar.h"
#include "platform/config/yaml_source.h"

namespace kiln::config::detail {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxNodes = 100'000;
constexpr std::size_t kMaxScalarBytes = std::size_t{64} * 1024 * 1024;

Position from_mark(const YAML::Mark& mark, Position fallback) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return fallback;
  return {mark.line + 1, mark.column + 1};
}

// An empty value (`key:` then a newline) is marked by yaml-cpp at the start of the next line;
// the key is where the user looks.
Position value_position(const YAML::Node& key, const YAML::Node& value, Position fallback) {
  const Position at_key = position_of(key, fallback);
  if (value.IsNull()) {
    const Position at_value = position_of(value, at_key);
    return at_value.line == at_key.line ? at_value : at_key;
  }
  return position_of(value, at_key);
}

// A control character in a scalar (a double-quoted "\e", "\0" or "\x01" makes one; raw ones
// are refused before parsing): why the text may not be used, or nullopt. Values may hold tabs
// and newlines (a script, a query); keys may not.
std::optional<std::string> control_character(const std::string& text, bool value) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (value && (c == '\t' || c == '\n')) continue;
    const bool c1 = c == 0xc2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) < 0xa0;
    if (c < 0x20 || c == 0x7f || c1) {
      return std::string("holds a control character (") + escape_text(text.substr(i, c1 ? 2 : 1)) +
             "); expected printable text";
    }
  }
  if (!value) return std::nullopt;
  for (std::size_t i = 0; i < text.size();) {  // "\xff" escapes are code points: still UTF-8
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) return std::string("is not valid UTF-8; expected UTF-8 text");
    i += length;
  }
  return std::nullopt;
}

class Converter {
 public:
  Converter(const std::string& file, std::vector<Diagnostic>& diagnostics)
      : file_(file), diagnostics_(diagnostics) {}

  json convert(const YAML::Node& node, const std::string& field, Position at, int depth) {
    if (++nodes_ > kMaxNodes || depth > kMaxDepth) {
      if (!too_big_) {
        too_big_ = true;
        report(at, field,
               depth > kMaxDepth ? "nested more than 64 levels deep (a recursive alias?)"
                                 : "more than 100000 nodes (aliases expanding?)");
      }
      return nullptr;
    }
    switch (node.Type()) {
      case YAML::NodeType::Scalar: {
        // Aliases repeat a scalar's bytes: the node count alone does not bound them.
        bytes_ += node.Scalar().size();
        if (bytes_ > kMaxScalarBytes) {
          if (!too_big_) {
            too_big_ = true;
            report(at, field, "more than 64 MiB of text once aliases expand; expected less");
          }
          return nullptr;
        }
        if (auto problem = control_character(node.Scalar(), true)) {
          report(at, field, *problem);
          return nullptr;
        }
        auto value = resolve_scalar(node.Tag(), node.Scalar());
        if (auto* message = std::get_if<std::string>(&value)) {
          report(at, field, *message);
          return nullptr;
        }
        return std::get<json>(std::move(value));
      }
      case YAML::NodeType::Sequence: {
        json out = json::array();
        std::size_t i = 0;
        for (const YAML::Node& item : node) {
          out.push_back(convert(item, item_path(field, i++), position_of(item, at), depth + 1));
        }
        return out;
      }
      case YAML::NodeType::Map:
        return convert_map(node, field, at, depth);
      default:
        return nullptr;
    }
  }

 private:
  json convert_map(const YAML::Node& node, const std::string& field, Position at, int depth) {
    json out = json::object();
    std::map<std::string, Position> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const Position key_at = position_of(it->first, at);
      if (!it->first.IsScalar()) {
        report(key_at, field,
               "a key must be a plain string, got a " +
                   std::string(it->first.IsNull() ? "null" : "collection"));
        continue;
      }
      const std::string& key = it->first.Scalar();
      const std::string path = child_path(field, key);
      if (auto problem = control_character(key, false)) {
        report(key_at, path, "a key " + *problem);
        continue;
      }
      if (auto [first, inserted] = seen.emplace(key, key_at); !inserted) {
        report(key_at, path,
               "duplicate key '" + key + "' (first at line " + std::to_string(first->second.line) +
                   "); expected each key once");
        continue;
      }
      out[key] = convert(it->second, path, value_position(it->first, it->second, at), depth + 1);
    }
    return out;
  }

  void report(Position at, const std::string& field, std::string message) {
    diagnostics_.push_back(diagnostic_at(file_, at, field, std::move(message)));
  }

  const std::string& file_;
  std::vector<Diagnostic>& diagnostics_;
  std::size_t nodes_ = 0;
  std::size_t bytes_ = 0;  // of scalars converted so far
  bool too_big_ = false;
};

// Records where each document starts; nothing else of the event stream matters here.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

std::string character_at(const std::string& text, int pos) {
  if (pos < 0 || static_cast<std::size_t>(pos) >= text.size()) return "end of file";
  const char c = text[static_cast<std::size_t>(pos)];
  if (c > ' ' && c < 127) return std::string("'") + c + "'";
  return "character";
}

// Finds the key of `map` that starts `path` and is followed by '.', '[' or the end (keys may
// hold dots, so the longest such key wins).
bool find_entry(const YAML::Node& map, std::string_view path, YAML::Node& key, YAML::Node& value,
                std::size_t& length) {
  bool found = false;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string& k = it->first.Scalar();
    if (k.size() > path.size() || path.substr(0, k.size()) != k) continue;
    if (k.size() < path.size() && path[k.size()] != '.' && path[k.size()] != '[') continue;
    if (found && k.size() <= length) continue;
    key.reset(it->first);  // operator= would write through to the document
    value.reset(it->second);
    length = k.size();
    found = true;
  }
  return found;
}

// Walks root along path; returns the deepest node reached, its position, and how much of the
// path is left.
std::pair<YAML::Node, std::string_view> walk(const YAML::Node& root, std::string_view path,
                                             Position& at) {
  YAML::Node node = root;
  at = position_of(root, {1, 1});
  for (int steps = 0; !path.empty() && steps < 1000; ++steps) {
    if (path[0] == '.') {
      path.remove_prefix(1);
    } else if (path[0] == '[') {
      const std::size_t close = path.find(']');
      if (close == std::string_view::npos || !node.IsSequence()) break;
      std::size_t index = 0;
      const std::string_view digits = path.substr(1, close - 1);
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (ec != std::errc() || end != digits.data() + digits.size() || index >= node.size()) break;
      const YAML::Node item = std::as_const(node)[index];
      at = position_of(item, at);
      node.reset(item);
      path.remove_prefix(close + 1);
    } else {
      YAML::Node key, value;
      std::size_t length = 0;
      if (!node.IsMap() || !find_entry(node, path, key, value, length)) break;
      at = value_position(key, value, at);
      node.reset(value);
      path.remove_prefix(length);
    }
  }
  return {node, path};
}

}  // namespace

Position position_of(const YAML::Node& node, Position fallback) {
  if (!node.IsDefined()) return fallback;
  return from_mark(node.Mark(), fallback);
}

Diagnostic diagnostic_at(const std::string& file, Position at, std::string field,
                         std::string message) {
  return Diagnostic{file, at.line, at.column, std::move(field), std::move(message)};
}

std::optional<YAML::Node> parse_document(const std::string& file, const std::string& text,
                                         std::vector<Diagnostic>& diagnostics) {
  if (!check_characters(file, text, diagnostics)) return std::nullopt;
  try {
    // yaml-cpp 0.7's LoadAll loops forever on a stray ',' between nodes (the parser reports
    // the same empty document again and again), and Load silently drops it. So the documents
    // are counted first, with a bound, and a document that starts where the last one did is
    // the stray token it is.
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts starts;
    for (int i = 0; i < 3 && parser.HandleNextDocument(starts); ++i) {
    }
    if (starts.marks.empty()) {
      diagnostics.push_back(
          diagnostic_at(file, {1, 1}, "", "the file is empty; expected a mapping"));
      return std::nullopt;
    }
    for (std::size_t i = 1; i < starts.marks.size(); ++i) {
      if (starts.marks[i].pos != starts.marks[i - 1].pos) continue;
      diagnostics.push_back(
          diagnostic_at(file, from_mark(starts.marks[i], {1, 1}), "",
                        "invalid YAML: unexpected " + character_at(text, starts.marks[i].pos)));
      return std::nullopt;
    }
    if (starts.marks.size() > 1) {
      diagnostics.push_back(
          diagnostic_at(file, from_mark(starts.marks[1], {1, 1}), "",
                        "a second YAML document; expected exactly one document per file"));
      return std::nullopt;
    }
    YAML::Node root = YAML::Load(text);
    if (root.IsNull()) {
      diagnostics.push_back(
          diagnostic_at(file, {1, 1}, "", "the file is empty; expected a mapping"));
      return std::nullopt;
    }
    if (!check_structure(file, text, root, kMaxNodes, diagnostics)) return std::nullopt;
    return root;
  } catch (const YAML::Exception& e) {
    diagnostics.push_back(
        diagnostic_at(file, from_mark(e.mark, {1, 1}), "", "invalid YAML: " + e.msg));
  } catch (const std::exception& e) {
    diagnostics.push_back(
        diagnostic_at(file, {1, 1}, "", std::string("invalid YAML: ") + e.what()));
  }
  return std::nullopt;
}

json to_json(const YAML::Node& node, const std::string& file, const std::string& field,
             std::vector<Diagnostic>& diagnostics) {
  Converter converter(file, diagnostics);
  return converter.convert(node, field, locate(node, ""), 0);
}

void drop_consequences(std::vector<Diagnostic>& diagnostics, std::size_t causes_begin,
                       std::size_t causes_end) {
  // A set of the causes' fields, and each diagnostic's field looked up with every prefix that
  // ends a path segment: linear in the diagnostics, whatever their number.
  std::set<std::string_view> causes;
  for (std::size_t i = causes_begin; i < causes_end; ++i) causes.insert(diagnostics[i].field);
  if (causes.empty()) return;
  auto caused = [&](const Diagnostic& d) {
    const std::string_view field = d.field;
    if (causes.contains(field)) return true;
    for (std::size_t i = 1; i < field.size(); ++i) {
      if ((field[i] == '.' || field[i] == '[') && causes.contains(field.substr(0, i))) return true;
    }
    return false;
  };
  // Decided before anything moves: `causes` views the causes' own strings.
  std::vector<bool> drop(diagnostics.size(), false);
  for (std::size_t i = causes_end; i < diagnostics.size(); ++i) drop[i] = caused(diagnostics[i]);
  causes.clear();
  std::vector<Diagnostic> kept;
  kept.reserve(diagnostics.size());
  for (std::size_t i = 0; i < diagnostics.size(); ++i) {
    if (!drop[i]) kept.push_back(std::move(diagnostics[i]));
  }
  diagnostics = std::move(kept);
}

Position locate(const YAML::Node& root, std::string_view path) {
  Position at;
  walk(root, path, at);
  return at;
}

Position locate_key(const YAML::Node& root, std::string_view path, std::string_view key) {
  Position at;
  auto [node, rest] = walk(root, path, at);
  if (!rest.empty() || !node.IsMap()) return at;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return position_of(it->first, at);
  }
  return at;
}

std::map<std::string, Position, std::less<>> key_positions(const YAML::Node& root,
                                                           std::string_view path) {
  std::map<std::string, Position, std::less<>> out;
  Position at;
  auto [node, rest] = walk(root, path, at);
  if (!rest.empty() || !node.IsMap()) return out;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->first.IsScalar()) out.emplace(it->first.Scalar(), position_of(it->first, at));
  }
  return out;
}

Position position_in(const std::map<std::string, Position, std::less<>>& keys, std::string_view key,
                     Position fallback) {
  const auto it = keys.find(key);
  return it == keys.end() ? fallback : it->second;
}

std::string describe(const json& value) {
  switch (value.type()) {
    case json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      constexpr std::size_t kShown = 60;  // enough to recognise, short enough to read
      return "a string ('" + (text.size() > kShown ? text.substr(0, kShown) + "..." : text) + "')";
    }
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer (" + value.dump() + ")";
    case json::value_t::number_float:
      return "a float (" + value.dump() + ")";
    case json::value_t::boolean:
      return "a boolean (" + value.dump() + ")";
    case json::value_t::object:
      return "a mapping";
    case json::value_t::array:
      return "a sequence";
    default:
      return "null";
  }
}

std::string child_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string item_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

}  // namespace kiln::config::detail
