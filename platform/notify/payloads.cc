#include "platform/notify/payloads.h"

namespace kiln::notify {
namespace {

using nlohmann::json;

constexpr std::size_t kSlackSectionMax = 3'000;
constexpr std::size_t kPagerDutySummaryMax = 1'024;

std::string slack_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string_view emoji(const Notification& n) {
  if (n.resolves()) return ":white_check_mark:";
  switch (n.severity) {
    case Severity::kInfo:
      return ":information_source:";
    case Severity::kWarning:
      return ":warning:";
    case Severity::kError:
      return ":x:";
    case Severity::kCritical:
      return ":rotating_light:";
  }
  return ":information_source:";
}

}  // namespace

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  if (max_bytes < kEllipsis.size()) return "";
  std::size_t cut = max_bytes - kEllipsis.size();
  // Back up to the start of a sequence: continuation bytes are 10xxxxxx.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return std::string(text.substr(0, cut)) + std::string(kEllipsis);
}

json slack_payload(const Notification& n) {
  const std::string head = std::string(emoji(n)) + " ";
  std::string section = head + "*" + slack_escape(n.title) + "*";
  if (!n.text.empty()) section += "\n" + slack_escape(n.text);
  std::string context = std::string(to_string(n.kind)) + " · " + std::string(to_string(n.severity));
  if (!n.job.empty()) context += " · job `" + slack_escape(n.job) + "`";
  if (!n.target.empty()) context += " · target `" + slack_escape(n.target) + "`";
  if (!n.owner.empty()) context += " · owner " + slack_escape(n.owner);
  return {
      {"text", truncate_utf8(head + slack_escape(n.title), kSlackSectionMax)},
      {"blocks",
       json::array(
           {{{"type", "section"},
             {"text", {{"type", "mrkdwn"}, {"text", truncate_utf8(section, kSlackSectionMax)}}}},
            {{"type", "context"},
             {"elements", json::array({{{"type", "mrkdwn"},
                                        {"text", truncate_utf8(context, kSlackSectionMax)}}})}}})}};
}

json pagerduty_payload(const Notification& n, const std::string& routing_key,
                       const std::string& source) {
  if (n.resolves()) {
    return {{"routing_key", routing_key}, {"event_action", "resolve"}, {"dedup_key", n.dedup_key}};
  }
  json details = n.fields.is_object() ? n.fields : json::object();
  details["details"] = n.text;
  json payload = {{"summary", truncate_utf8(n.title, kPagerDutySummaryMax)},
                  {"source", source},
                  {"severity", to_string(n.severity)},
                  {"timestamp", iso8601(n.time_ms)},
                  {"class", to_string(n.kind)},
                  {"custom_details", std::move(details)}};
  if (!n.job.empty()) payload["component"] = n.job;
  if (!n.target.empty()) payload["group"] = n.target;
  return {{"routing_key", routing_key},
          {"event_action", "trigger"},
          {"dedup_key", n.dedup_key},
          {"client", "kiln"},
          {"payload", std::move(payload)}};
}

std::string file_line(const Notification& n) {
  return dump(to_json(n)) + "\n";
}

}  // namespace kiln::notify
