// A webhook URL, split for an HTTP client: http:// or https://, a host, an optional port, a path
// and query (the Slack webhook's secret is in its path).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kiln::notify {

struct Url {
  bool tls = true;
  std::string host;         // a name or an IP address (IPv6 without brackets)
  std::string port;         // "443" by default for https, "80" for http
  std::string target;       // the path and query, "/" at least
  std::string host_header;  // "host" or "host:port" when the port is not the default
};

// Parses "https://host[:port][/path][?query]" (or http://). A fragment, user info or anything but
// http(s) gives nullopt and sets `error` (without echoing the URL: it may hold a secret).
std::optional<Url> parse_url(std::string_view text, std::string* error);

}  // namespace kiln::notify
