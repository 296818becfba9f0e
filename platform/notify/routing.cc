#include "platform/notify/routing.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "core/text/glob.h"
#include "platform/config/key_suggestion.h"
#include "platform/config/yaml_document.h"
#include "platform/notify/url.h"

namespace kiln::notify {
namespace {

using config::Diagnostic;
using nlohmann::json;

const std::vector<std::string> kTopKeys = {"sinks", "routes", "delivery"};
const std::vector<std::string> kSinkTypes = {"slack", "pagerduty", "file"};
const std::vector<std::string> kRouteKeys = {"match", "sinks", "continue"};
const std::vector<std::string> kMatchKeys = {"owner", "job", "target", "kinds", "min_severity"};
const std::vector<std::string> kDeliveryKeys = {"max_attempts",   "first_backoff_ms",
                                                "max_backoff_ms", "dedup_window_ms",
                                                "queue_limit",    "journal"};

std::string describe(const json& value) {
  return config::detail::describe(value);
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string child(const std::string& parent, std::string_view key) {
  return config::detail::child_path(parent, key);
}

std::string item(const std::string& parent, std::size_t index) {
  return config::detail::item_path(parent, index);
}

// Reads one document, appending a diagnostic per problem.
class Reader {
 public:
  Reader(std::vector<Diagnostic>& diagnostics, const EnvLookup& env)
      : diagnostics_(diagnostics), env_(env) {}

  void report(std::string field, std::string message) {
    diagnostics_.push_back(Diagnostic{"", 0, 0, std::move(field), std::move(message)});
  }

  void expected(const std::string& field, const std::string& what, const json& got) {
    report(field, "expected " + what + ", got " + describe(got));
  }

  // Reports keys of `object` not in `known`, with a suggestion for a likely typo.
  void unknown_keys(const json& object, const std::string& path,
                    const std::vector<std::string>& known) {
    for (const auto& [key, value] : object.items()) {
      (void)value;
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string message = "unknown key '" + key + "'";
      if (auto hint = config::suggest(key, known)) {
        message += "; did you mean '" + *hint + "'?";
      } else {
        message += "; expected one of: " + join(known);
      }
      report(child(path, key), std::move(message));
    }
  }

  std::optional<std::string> string(const json& object, const std::string& path, const char* key) {
    const auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    if (!it->is_string() || it->get<std::string>().empty()) {
      expected(child(path, key), "a non-empty string", *it);
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  template <class Int>
  void integer(const json& object, const std::string& path, const char* key, std::int64_t min,
               std::int64_t max, Int& out) {
    const auto it = object.find(key);
    if (it == object.end()) return;
    if (!it->is_number_integer() || it->get<std::int64_t>() < min ||
        (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) ||
        it->get<std::int64_t>() > max) {
      expected(child(path, key),
               "an integer from " + std::to_string(min) + " to " + std::to_string(max), *it);
      return;
    }
    out = static_cast<Int>(it->get<std::int64_t>());
  }

  // A secret given inline (`key`) or through an environment variable (`key_env`), exactly one.
  std::optional<std::string> secret(const json& object, const std::string& path,
                                    const std::string& key, bool required) {
    const std::string env_key = key + "_env";
    const bool inline_given = object.contains(key);
    const bool env_given = object.contains(env_key);
    if (inline_given && env_given) {
      report(child(path, env_key), "give " + key + " or " + env_key + ", not both");
      return std::nullopt;
    }
    if (inline_given) {
      const json& value = object.at(key);
      if (value.is_string() && !value.get<std::string>().empty()) return value.get<std::string>();
      report(child(path, key), "expected a non-empty string");  // not shown: it is a secret
      return std::nullopt;
    }
    if (!env_given) {
      if (required) {
        report(child(path, key), "required key is missing; give " + key + " or " + env_key +
                                     " (the name of an environment variable holding it)");
      }
      return std::nullopt;
    }
    const auto name = string(object, path, env_key.c_str());
    if (!name) return std::nullopt;
    auto value = env_(*name);
    if (!value || value->empty()) {
      report(child(path, env_key), "environment variable " + *name + " is not set");
      return std::nullopt;
    }
    return value;
  }

 private:
  std::vector<Diagnostic>& diagnostics_;
  const EnvLookup& env_;
};

void read_url(Reader& r, const json& sink, const std::string& path, bool required,
              SinkConfig& out) {
  const bool from_env = sink.contains("url_env");
  auto url = r.secret(sink, path, "url", required);
  if (!url) return;
  std::string why;
  if (!parse_url(*url, &why)) {
    // The value is not shown: a webhook URL is a secret.
    r.report(child(path, from_env ? "url_env" : "url"), why);
    return;
  }
  out.url = *url;
}

std::optional<SinkConfig> read_sink(Reader& r, const std::string& name, const json& sink,
                                    const std::string& path) {
  if (!sink.is_object()) {
    r.expected(path, "a mapping with a type (" + join(kSinkTypes) + ")", sink);
    return std::nullopt;
  }
  SinkConfig out;
  out.name = name;
  const auto type_it = sink.find("type");
  if (type_it == sink.end()) {
    r.report(child(path, "type"), "required key is missing; expected one of: " + join(kSinkTypes));
    return std::nullopt;
  }
  const std::string type = type_it->is_string() ? type_it->get<std::string>() : "";
  std::vector<std::string> keys;
  if (type == "slack") {
    out.type = SinkType::kSlack;
    keys = {"type", "url", "url_env"};
  } else if (type == "pagerduty") {
    out.type = SinkType::kPagerDuty;
    keys = {"type", "routing_key", "routing_key_env", "url", "url_env", "source"};
  } else if (type == "file") {
    out.type = SinkType::kFile;
    keys = {"type", "path"};
  } else {
    std::string what = "one of: " + join(kSinkTypes);
    if (type_it->is_string()) {
      if (auto hint = config::suggest(type, kSinkTypes)) what += " (did you mean '" + *hint + "'?)";
    }
    r.expected(child(path, "type"), what, *type_it);
    return std::nullopt;
  }
  r.unknown_keys(sink, path, keys);
  switch (out.type) {
    case SinkType::kSlack:
      read_url(r, sink, path, /*required=*/true, out);
      break;
    case SinkType::kPagerDuty:
      out.url = kPagerDutyEventsUrl;
      read_url(r, sink, path, /*required=*/false, out);
      if (auto key = r.secret(sink, path, "routing_key", /*required=*/true)) out.routing_key = *key;
      if (auto source = r.string(sink, path, "source")) out.source = *source;
      break;
    case SinkType::kFile:
      if (auto p = r.string(sink, path, "path")) {
        out.path = *p;
      } else if (!sink.contains("path")) {
        r.report(child(path, "path"), "required key is missing; expected the file to append to");
      }
      break;
  }
  return out;
}

void read_kinds(Reader& r, const json& match, const std::string& path, RouteMatch& out) {
  const auto it = match.find("kinds");
  if (it == match.end()) return;
  const std::string field = child(path, "kinds");
  if (!it->is_array() || it->empty()) {
    r.expected(field, "a non-empty list of kinds (" + join(kind_names()) + ")", *it);
    return;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& k = (*it)[i];
    const auto kind = k.is_string() ? parse_kind(k.get<std::string>()) : std::nullopt;
    if (kind) {
      out.kinds.push_back(*kind);
      continue;
    }
    if (k.is_string()) {
      std::string message = "unknown kind '" + k.get<std::string>() + "'";
      if (auto hint = config::suggest(k.get<std::string>(), kind_names())) {
        message += "; did you mean '" + *hint + "'?";
      } else {
        message += "; expected one of: " + join(kind_names());
      }
      r.report(item(field, i), std::move(message));
    } else {
      r.expected(item(field, i), "a kind (" + join(kind_names()) + ")", k);
    }
  }
}

void read_match(Reader& r, const json& match, const std::string& path, RouteMatch& out) {
  if (!match.is_object()) {
    r.expected(path, "a mapping (" + join(kMatchKeys) + ")", match);
    return;
  }
  r.unknown_keys(match, path, kMatchKeys);
  out.owner = r.string(match, path, "owner");
  out.job = r.string(match, path, "job");
  out.target = r.string(match, path, "target");
  read_kinds(r, match, path, out);
  if (const auto it = match.find("min_severity"); it != match.end()) {
    const auto severity = it->is_string() ? parse_severity(it->get<std::string>()) : std::nullopt;
    if (severity) {
      out.min_severity = *severity;
    } else {
      r.expected(child(path, "min_severity"), "one of: " + join(severity_names()), *it);
    }
  }
}

std::optional<Route> read_route(Reader& r, const json& route, const std::string& path,
                                const std::map<std::string, SinkConfig>& sinks,
                                bool sinks_readable) {
  if (!route.is_object()) {
    r.expected(path, "a mapping with sinks (and match, continue)", route);
    return std::nullopt;
  }
  r.unknown_keys(route, path, kRouteKeys);
  Route out;
  if (const auto it = route.find("match"); it != route.end()) {
    read_match(r, *it, child(path, "match"), out.match);
  }
  const auto it = route.find("sinks");
  const std::string field = child(path, "sinks");
  if (it == route.end()) {
    r.report(field, "required key is missing; expected a list of sink names");
  } else if (!it->is_array() || it->empty()) {
    r.expected(field, "a non-empty list of sink names", *it);
  } else {
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& name = (*it)[i];
      if (!name.is_string() || name.get<std::string>().empty()) {
        r.expected(item(field, i), "a sink name", name);
        continue;
      }
      const auto& text = name.get_ref<const std::string&>();
      // An unknown name is reported only when the sinks could be read: otherwise it is a
      // consequence of that problem.
      if (sinks_readable && !sinks.contains(text)) {
        std::vector<std::string> known;
        known.reserve(sinks.size());
        for (const auto& [known_name, sink] : sinks) known.push_back(known_name);
        std::string message = "unknown sink '" + text + "'";
        if (auto hint = config::suggest(text, known)) {
          message += "; did you mean '" + *hint + "'?";
        } else if (!known.empty()) {
          message += "; the sinks are: " + join(known);
        }
        r.report(item(field, i), std::move(message));
        continue;
      }
      out.sinks.push_back(text);
    }
  }
  if (const auto c = route.find("continue"); c != route.end()) {
    if (c->is_boolean()) {
      out.continue_matching = c->get<bool>();
    } else {
      r.expected(child(path, "continue"), "true or false", *c);
    }
  }
  return out;
}

void read_delivery(Reader& r, const json& delivery, DeliveryOptions& out) {
  const std::string path = "delivery";
  if (!delivery.is_object()) {
    r.expected(path, "a mapping (" + join(kDeliveryKeys) + ")", delivery);
    return;
  }
  r.unknown_keys(delivery, path, kDeliveryKeys);
  constexpr std::int64_t kDay = 86'400'000;
  r.integer(delivery, path, "max_attempts", 1, 100, out.max_attempts);
  r.integer(delivery, path, "first_backoff_ms", 1, kDay, out.first_backoff_ms);
  r.integer(delivery, path, "max_backoff_ms", 1, kDay, out.max_backoff_ms);
  r.integer(delivery, path, "dedup_window_ms", 0, 30 * kDay, out.dedup_window_ms);
  r.integer(delivery, path, "queue_limit", 1, 1'000'000, out.queue_limit);
  if (auto journal = r.string(delivery, path, "journal")) out.journal = *journal;
  if (out.max_backoff_ms < out.first_backoff_ms) {
    r.report(child(path, "max_backoff_ms"),
             "must be at least first_backoff_ms (" + std::to_string(out.first_backoff_ms) + ")");
  }
}

bool glob_matches(const std::optional<std::string>& pattern, const std::string& text) {
  return !pattern || core::glob_match(*pattern, text);
}

}  // namespace

std::string_view to_string(SinkType type) {
  switch (type) {
    case SinkType::kSlack:
      return "slack";
    case SinkType::kPagerDuty:
      return "pagerduty";
    case SinkType::kFile:
      return "file";
  }
  return "file";
}

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read at load
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

bool RouteMatch::matches(const Notification& n) const {
  if (n.severity < min_severity) return false;
  if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), n.kind) == kinds.end()) return false;
  return glob_matches(owner, n.owner) && glob_matches(job, n.job) && glob_matches(target, n.target);
}

std::optional<RoutingConfig> parse_routing(const json& doc, std::vector<Diagnostic>& diagnostics,
                                           const EnvLookup& env) {
  const std::size_t before = diagnostics.size();
  Reader r(diagnostics, env);
  if (!doc.is_object()) {
    r.expected("", "a mapping with sinks and routes", doc);
    return std::nullopt;
  }
  r.unknown_keys(doc, "", kTopKeys);
  RoutingConfig out;
  bool sinks_readable = false;
  if (const auto it = doc.find("sinks"); it == doc.end()) {
    r.report("sinks", "required key is missing; expected a mapping of sink names to sinks");
  } else if (!it->is_object() || it->empty()) {
    r.expected("sinks", "a non-empty mapping of sink names to sinks", *it);
  } else {
    sinks_readable = true;
    for (const auto& [name, sink] : it->items()) {
      if (auto s = read_sink(r, name, sink, child("sinks", name))) out.sinks[name] = *s;
      // A sink with problems is still known by name, so routes naming it are not also wrong.
      if (!out.sinks.contains(name)) {
        SinkConfig unreadable;
        unreadable.name = name;
        out.sinks.emplace(name, std::move(unreadable));
      }
    }
  }
  if (const auto it = doc.find("routes"); it == doc.end()) {
    r.report("routes", "required key is missing; expected a list of routes");
  } else if (!it->is_array() || it->empty()) {
    r.expected("routes", "a non-empty list of routes", *it);
  } else {
    for (std::size_t i = 0; i < it->size(); ++i) {
      if (auto route = read_route(r, (*it)[i], item("routes", i), out.sinks, sinks_readable)) {
        out.routes.push_back(std::move(*route));
      }
    }
  }
  if (const auto it = doc.find("delivery"); it != doc.end()) read_delivery(r, *it, out.delivery);
  if (diagnostics.size() != before) return std::nullopt;
  return out;
}

std::optional<RoutingConfig> load_routing(const std::string& file, const std::string& text,
                                          std::vector<Diagnostic>& diagnostics,
                                          const EnvLookup& env) {
  const std::size_t before = diagnostics.size();
  auto root = config::detail::parse_document(file, text, diagnostics);
  if (!root) return std::nullopt;
  const json doc = config::detail::to_json(*root, file, "", diagnostics);
  if (diagnostics.size() != before) return std::nullopt;
  std::vector<Diagnostic> found;
  auto parsed = parse_routing(doc, found, env);
  for (auto& d : found) {
    d.file = file;
    // An unknown key is shown at the key; anything else at its value.
    const bool about_key = d.message.rfind("unknown key", 0) == 0;
    const auto dot = d.field.rfind('.');
    const config::detail::Position at =
        about_key ? config::detail::locate_key(
                        *root, dot == std::string::npos ? "" : d.field.substr(0, dot),
                        dot == std::string::npos ? d.field : d.field.substr(dot + 1))
                  : config::detail::locate(*root, d.field);
    d.line = at.line;
    d.column = at.column;
  }
  config::sort_diagnostics(found);
  for (auto& d : found) diagnostics.push_back(std::move(d));
  return parsed;
}

namespace {

// The sinks of the routes that take `n`, by the first-match-unless-continue rule.
void routed_sinks(const RoutingConfig& config, const Notification& n,
                  const std::function<void(const std::string&)>& add) {
  for (const auto& r : config.routes) {
    if (!r.match.matches(n)) continue;
    for (const auto& sink : r.sinks) add(sink);
    if (!r.continue_matching) return;
  }
}

}  // namespace

std::vector<std::string> route(const RoutingConfig& config, const Notification& n) {
  std::vector<std::string> out;
  routed_sinks(config, n, [&](const std::string& sink) {
    if (std::find(out.begin(), out.end(), sink) == out.end()) out.push_back(sink);
  });
  for (const auto& [kind, severity] : triggers_closed_by(n.kind)) {
    Notification trigger = n;
    trigger.kind = kind;
    trigger.severity = severity;
    routed_sinks(config, trigger, [&](const std::string& sink) {
      const auto it = config.sinks.find(sink);
      if (it == config.sinks.end() || it->second.type != SinkType::kPagerDuty) return;
      if (std::find(out.begin(), out.end(), sink) == out.end()) out.push_back(sink);
    });
  }
  return out;
}

}  // namespace kiln::notify
