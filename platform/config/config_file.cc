#include "platform/config/config_file.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "platform/config/key_suggestion.h"
#include "platform/config/yaml_document.h"

namespace kiln::config::detail {
namespace {

using nlohmann::json;

const std::vector<std::string> kKeys = {"kind",     "name",          "target", "deployVersion",
                                        "strategy", "healthSeconds", "stream", "owner",
                                        "onDrift",  "settings"};
const std::vector<std::string> kStrategies = {"simple", "blue-green"};
constexpr std::size_t kMaxNameChars = 100;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Reads the top-level fields of one config, collecting every problem.
class ConfigReader {
 public:
  ConfigReader(const std::string& file, const YAML::Node& root, const json& doc,
               std::vector<Diagnostic>& diagnostics)
      : file_(file), root_(root), doc_(doc), diagnostics_(diagnostics) {}

  void unknown_keys() {
    const auto positions = key_positions(root_, "");  // one pass: 10,000 keys stay linear
    const Position fallback = locate(root_, "");
    for (const auto& [key, value] : doc_.items()) {
      (void)value;
      if (std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end()) continue;
      std::string message = "unknown key '" + key + "'";
      if (auto hint = suggest(key, kKeys)) {
        message += "; did you mean '" + *hint + "'?";
      } else {
        message +=
            "; expected one of: kind, name, target, deployVersion, strategy, "
            "healthSeconds, stream, owner, onDrift, settings";
      }
      report_at(position_in(positions, key, fallback), key, std::move(message));
    }
  }

  const json* required(const std::string& key, const std::string& expected) {
    if (!doc_.contains(key)) {
      report_at(locate(root_, ""), key, "required key is missing; expected " + expected);
      return nullptr;
    }
    return &doc_.at(key);
  }

  const json* optional(const std::string& key) {
    return doc_.contains(key) ? &doc_.at(key) : nullptr;
  }

  void expected(const std::string& key, const std::string& what, const json& got) {
    report_at(locate(root_, key), key, "expected " + what + ", got " + describe(got));
  }

  std::optional<std::string> identifier(const std::string& key, const json* value,
                                        const std::string& what) {
    if (value == nullptr) return std::nullopt;
    const std::string expectation = what + " (letters, digits, '_' or '-')";
    if (!value->is_string() || value->get<std::string>().empty()) {
      expected(key, expectation, *value);
      return std::nullopt;
    }
    const auto& text = value->get_ref<const std::string&>();
    for (char c : text) {
      if (!is_name_char(c)) {
        expected(key, expectation, *value);
        return std::nullopt;
      }
    }
    if (text.size() > kMaxNameChars) {
      report_at(locate(root_, key), key,
                "expected at most 100 characters, got " + std::to_string(text.size()));
      return std::nullopt;
    }
    return text;
  }

  std::optional<std::int64_t> integer(const std::string& key, const json* value, std::int64_t min) {
    if (value == nullptr) return std::nullopt;
    const std::string what = "an integer >= " + std::to_string(min);
    if (!value->is_number_integer() || value->get<std::int64_t>() < min) {
      expected(key, what, *value);
      return std::nullopt;
    }
    return value->get<std::int64_t>();
  }

  const YAML::Node& root() const { return root_; }

  void report_at(Position at, std::string field, std::string message) {
    diagnostics_.push_back(diagnostic_at(file_, at, std::move(field), std::move(message)));
  }

 private:
  const std::string& file_;
  const YAML::Node& root_;
  const json& doc_;
  std::vector<Diagnostic>& diagnostics_;
};

void read_strategy(ConfigReader& reader, JobConfig& config, bool& ok) {
  config.strategy = "simple";
  if (const json* v = reader.optional("strategy")) {
    if (v->is_string() && std::find(kStrategies.begin(), kStrategies.end(),
                                    v->get<std::string>()) != kStrategies.end()) {
      config.strategy = v->get<std::string>();
    } else {
      std::string what = "'simple' or 'blue-green'";
      if (v->is_string()) {
        if (auto hint = suggest(v->get<std::string>(), kStrategies)) {
          what = "'simple' or 'blue-green' (did you mean '" + *hint + "'?)";
        }
      }
      reader.expected("strategy", what, *v);
      ok = false;
      return;
    }
  }
  const json* health = reader.optional("healthSeconds");
  const json* stream = reader.optional("stream");
  if (config.strategy == "simple") {
    for (const char* key : {"healthSeconds", "stream"}) {
      if (reader.optional(key) == nullptr) continue;
      reader.report_at(locate_key(reader.root(), "", key), key,
                       std::string(key) + " applies only to strategy blue-green");
      ok = false;
    }
    return;
  }
  if (stream != nullptr) {
    auto text = reader.identifier("stream", stream, "the stream's name");
    ok = ok && text.has_value();
    config.stream = text.value_or("");
  }
  if (health == nullptr) {
    reader.report_at(locate(reader.root(), "strategy"), "healthSeconds",
                     "required when strategy is blue-green; expected an integer > 0 (how long "
                     "green must stay healthy before blue stops)");
    ok = false;
    return;
  }
  config.health_seconds = reader.integer("healthSeconds", health, 1);
  ok = ok && config.health_seconds.has_value();
}

}  // namespace

std::optional<ParsedConfig> parse_config(const std::string& file, const std::string& text,
                                         std::vector<Diagnostic>& diagnostics) {
  const std::size_t before = diagnostics.size();
  std::optional<YAML::Node> root = parse_document(file, text, diagnostics);
  if (!root) return std::nullopt;
  const json doc = to_json(*root, file, "", diagnostics);
  const std::size_t causes_end = diagnostics.size();
  if (!doc.is_object()) {
    diagnostics.push_back(diagnostic_at(file, locate(*root, ""), "",
                                        "expected a mapping with kind: Job, got " + describe(doc)));
    return std::nullopt;
  }
  ConfigReader reader(file, *root, doc, diagnostics);
  reader.unknown_keys();
  ParsedConfig parsed{JobConfig{}, *root};
  JobConfig& config = parsed.config;
  config.file = file;
  bool ok = true;

  if (const json* kind = reader.required("kind", "'kind: Job'")) {
    if (!kind->is_string() || kind->get<std::string>() != "Job") {
      reader.expected("kind", "'Job'", *kind);
      ok = false;
    }
  }
  const json* name = reader.required("name", "the job's name (letters, digits, '_' or '-')");
  auto name_text = reader.identifier("name", name, "the job's name");
  const Position name_at = locate(*root, "name");
  config.name_line = name_at.line;
  config.name_column = name_at.column;
  const json* target =
      reader.required("target", "the target environment, e.g. development or production");
  auto target_text = reader.identifier("target", target, "a target environment");
  const json* version = reader.required("deployVersion", "an integer >= 0");
  auto version_value = reader.integer("deployVersion", version, 0);
  ok = ok && name_text && target_text && version_value;
  config.name = name_text.value_or("");
  config.target = target_text.value_or("");
  config.deploy_version = version_value.value_or(0);
  read_strategy(reader, config, ok);

  if (const json* owner = reader.optional("owner")) {
    if (!owner->is_string() || owner->get<std::string>().empty()) {
      reader.expected("owner", "a non-empty string (who is notified)", *owner);
      ok = false;
    } else {
      config.owner = owner->get<std::string>();
    }
  }
  if (const json* on_drift = reader.optional("onDrift")) {
    if (!on_drift->is_string() ||
        (on_drift->get<std::string>() != "report" && on_drift->get<std::string>() != "redeploy")) {
      reader.expected("onDrift", "'report' or 'redeploy'", *on_drift);
      ok = false;
    } else {
      config.on_drift = on_drift->get<std::string>();
    }
  }
  if (const json* settings =
          reader.required("settings", "the Databricks JobSettings (a mapping with tasks)")) {
    check_settings(file, *root, *settings, config.name, diagnostics);
    if (settings->is_object()) {
      config.settings = *settings;
      config.settings.erase("name");
    }
  }
  drop_consequences(diagnostics, before, causes_end);
  if (!ok || diagnostics.size() != before) return std::nullopt;
  return parsed;
}

}  // namespace kiln::config::detail
