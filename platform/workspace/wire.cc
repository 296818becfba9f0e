#include "platform/workspace/wire.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace kiln::workspace {
namespace {

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string_view trim(std::string_view s, std::string_view chars = " \t\r\n") {
  const auto b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(chars);
  return s.substr(b, e - b + 1);
}

// The text between `open` and the next `close`, or nullopt.
std::optional<std::string_view> between(std::string_view s, std::string_view open,
                                        std::string_view close) {
  const auto b = s.find(open);
  if (b == std::string_view::npos) return std::nullopt;
  const auto start = b + open.size();
  const auto e = s.find(close, start);
  if (e == std::string_view::npos) return std::nullopt;
  return s.substr(start, e - start);
}

// "Service Unavailable" -> "SERVICE_UNAVAILABLE".
std::string code_from_reason(std::string_view reason) {
  std::string code;
  for (const char c : trim(reason, " .")) {
    code += c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return code;
}

// "SOME_CODE: message" (one line, code in [A-Z0-9_]+), as sdk-py's string error parser reads it.
bool parse_text_error(std::string_view text, std::string& code, std::string& message) {
  text = trim(text);
  const auto colon = text.find(": ");
  if (colon == 0 || colon == std::string_view::npos || text.find('\n') != std::string_view::npos) {
    return false;
  }
  const auto head = text.substr(0, colon);
  const bool all_code = std::all_of(head.begin(), head.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!all_code) return false;
  code = std::string(head);
  message = std::string(text.substr(colon + 2));
  return true;
}

void parse_json_error(nlohmann::json& j, std::string& code, std::string& message) {
  if (const auto it = j.find("error_code"); it != j.end()) {
    if (it->is_string()) {
      code = it->get<std::string>();
    } else if (it->is_number_integer()) {
      code = std::to_string(it->get<std::int64_t>());
    } else if (!it->is_null()) {
      code = it->dump();
    }
  }
  if (const auto it = j.find("message"); it != j.end() && it->is_string()) {
    message = it->get<std::string>();
  }
  if (const auto it = j.find("error"); it != j.end() && it->is_string()) {
    message = it->get<std::string>();  // API 1.2
  }
  const auto detail = j.find("detail");
  if (message.empty() && detail != j.end() && detail->is_string()) {  // SCIM (RFC 7644 3.7.3)
    const std::string text = detail->get<std::string>();
    const std::string type = j.value("scimType", "");
    message = std::string(trim(type + " " + (text == "null" ? "SCIM API Internal Error" : text)));
    const auto status = j.find("status");
    code = "SCIM_" + (status == j.end()     ? std::string()
                      : status->is_string() ? status->get<std::string>()
                                            : status->dump());
  }
}

}  // namespace

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4U];
      out += kHex[c & 0xFU];
    }
  }
  return out;
}

std::string encode_query(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out;
  for (const auto& [key, value] : query) {
    if (!out.empty()) out += '&';
    out += url_encode(key);
    out += '=';
    out += url_encode(value);
  }
  return out;
}

std::optional<int> parse_retry_after(std::string_view value) {
  value = trim(value);
  int seconds = 0;
  const auto* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, seconds);
  if (value.empty() || ec != std::errc() || ptr != end || seconds < 0) return std::nullopt;
  return seconds;
}

std::string error_code_for_status(int status) {
  switch (status) {
    case 400:
      return "BAD_REQUEST";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "RESOURCE_CONFLICT";
    case 429:
      return "TOO_MANY_REQUESTS";
    case 499:
      return "CANCELLED";
    case 500:
      return "INTERNAL_ERROR";
    case 501:
      return "NOT_IMPLEMENTED";
    case 503:
      return "TEMPORARILY_UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      return "UNKNOWN";
  }
}

nlohmann::json parse_error_body(const RawError& raw) {
  nlohmann::json out = nlohmann::json::object();
  std::string code;
  std::string message;
  std::string raw_text;  // an unrecognised body, the last resort for a message
  auto parsed = nlohmann::json::parse(raw.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) {
    parse_json_error(parsed, code, message);
    out = std::move(parsed);
  } else if (!parse_text_error(raw.body, code, message)) {
    if (auto pre = between(raw.body, "<pre>", "</pre>")) {
      message = std::string(trim(*pre, " .\r\n\t"));
    } else if (auto title = between(raw.body, "<title>", "</title>")) {
      message = std::string(trim(*title, " .\r\n\t"));
    } else if (!trim(raw.body).empty()) {
      raw_text = std::string(trim(raw.body).substr(0, 200));
    }
  }
  if (code.empty()) code = code_from_reason(raw.reason);
  if (code.empty()) code = error_code_for_status(raw.status);
  if (message.empty()) message = std::string(trim(raw.databricks_reason));
  if (message.empty()) message = raw_text;
  if (message.empty()) message = "HTTP " + std::to_string(raw.status);
  out["error_code"] = code;
  out["message"] = message;
  return out;
}

}  // namespace kiln::workspace
