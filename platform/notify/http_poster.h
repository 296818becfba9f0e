// HttpPoster: how notifications reach a webhook. The real one speaks HTTP/1.1 and HTTPS (Beast
// and OpenSSL) on the caller's io_context; simulation and tests pass their own.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock/clock.h"

namespace kiln::notify {

struct PostAnswer {
  int status = 0;    // the HTTP status; 0 when no answer came (refused, reset, TLS, timeout)
  std::string body;  // the answer's body (Slack answers "ok"; PagerDuty a JSON status)
  std::optional<core::DurationMs> retry_after_ms;  // the Retry-After header, if in seconds
  std::string error;                               // what went wrong when status is 0
};

class HttpPoster {
 public:
  virtual ~HttpPoster() = default;

  // POSTs `body` (JSON, Content-Type: application/json) to `url`. `done` receives the answer
  // exactly once, on the caller's loop, possibly inside this call. Never throws.
  virtual void post(const std::string& url, std::string body,
                    std::function<void(PostAnswer)> done) = 0;
};

struct PosterOptions {
  core::DurationMs timeout_ms = 10'000;  // per post: connect, TLS, write and read together
  std::string ca_file;                   // PEM trust anchors for https; empty: the system store
  std::string user_agent = "kiln/0.1";
};

// The real poster: one connection per post (notifications are rare), certificate and host name
// verified for https. Throws std::invalid_argument if the CA certificates cannot be loaded.
// `io` must outlive the poster; posts pending when it is destroyed still answer.
std::unique_ptr<HttpPoster> make_http_poster(boost::asio::io_context& io, PosterOptions options);

}  // namespace kiln::notify
