#include "platform/notify/url.h"

#include <cctype>

namespace kiln::notify {
namespace {

bool starts_with_lower(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<Url> parse_url(std::string_view text, std::string* error) {
  auto fail = [&](const char* why) -> std::optional<Url> {
    if (error != nullptr) *error = why;
    return std::nullopt;
  };
  Url url;
  std::string_view rest;
  if (starts_with_lower(text, "https://")) {
    rest = text.substr(8);
  } else if (starts_with_lower(text, "http://")) {
    url.tls = false;
    rest = text.substr(7);
  } else {
    return fail("expected an http:// or https:// URL");
  }
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0 ||
        std::iscntrl(static_cast<unsigned char>(c)) != 0) {
      return fail("a URL has no spaces or control characters");
    }
  }
  const auto path_at = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_at);
  std::string_view target = path_at == std::string_view::npos ? "" : rest.substr(path_at);
  if (target.find('#') != std::string_view::npos) return fail("a webhook URL has no #fragment");
  if (authority.find('@') != std::string_view::npos) return fail("a webhook URL has no user@");
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated '[' in the host");
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return fail("expected ':' after ']'");
      port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return fail("the URL has no host");
  if (port.find_first_not_of("0123456789") != std::string_view::npos || port.size() > 5 ||
      (!port.empty() && std::stoi(std::string(port)) > 65535)) {
    return fail("the URL has a bad port");
  }
  const std::string default_port = url.tls ? "443" : "80";
  url.port = port.empty() ? default_port : std::string(port);
  url.target = target.empty() ? "/" : std::string(target);
  if (url.target.front() == '?') url.target.insert(0, "/");
  const bool v6 = url.host.find(':') != std::string::npos;
  url.host_header =
      (v6 ? "[" + url.host + "]" : url.host) + (url.port == default_port ? "" : ":" + url.port);
  return url;
}

}  // namespace kiln::notify
