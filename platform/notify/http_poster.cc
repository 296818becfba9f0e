#include "platform/notify/http_poster.h"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <stdexcept>

#include "platform/notify/url.h"
#include "platform/workspace/http_connection.h"
#include "platform/workspace/wire.h"

namespace kiln::notify {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using workspace::detail::Connection;

struct Shared {
  Shared(asio::io_context& context, PosterOptions o) : io(context), options(std::move(o)) {}
  asio::io_context& io;
  PosterOptions options;
  asio::ssl::context tls{asio::ssl::context::tls_client};
};

PostAnswer failed(const std::string& what) {
  PostAnswer a;
  a.error = what;
  return a;
}

asio::awaitable<PostAnswer> perform(std::shared_ptr<Shared> s, Url url, std::string body) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(s->options.timeout_ms);
  Connection conn(s->io, url.tls ? &s->tls : nullptr);
  beast::error_code ec;
  const workspace::HttpEndpoint endpoint{url.tls, url.host, url.port};
  // Errors name the host, never the path: a webhook's path is its secret.
  const std::string where = url.host + ":" + url.port;
  co_await conn.open(endpoint, /*verify=*/true, deadline, ec);
  if (ec) co_return failed("connecting to " + where + ": " + ec.message());
  workspace::detail::Request req{http::verb::post, url.target, 11};
  req.set(http::field::host, url.host_header);
  req.set(http::field::user_agent, s->options.user_agent);
  req.set(http::field::content_type, "application/json");
  req.keep_alive(false);
  req.body() = std::move(body);
  req.prepare_payload();
  auto out = co_await conn.exchange(req, deadline);
  conn.close();
  if (out.ec) co_return failed("posting to " + where + ": " + out.ec.message());
  PostAnswer answer;
  answer.status = static_cast<int>(out.response.result_int());
  answer.body = std::move(out.response.body());
  if (const auto it = out.response.find(http::field::retry_after); it != out.response.end()) {
    if (auto seconds = workspace::parse_retry_after(
            std::string_view(it->value().data(), it->value().size()))) {
      answer.retry_after_ms = core::DurationMs{*seconds} * 1'000;
    }
  }
  co_return answer;
}

class BeastPoster final : public HttpPoster {
 public:
  BeastPoster(asio::io_context& io, PosterOptions options)
      : shared_(std::make_shared<Shared>(io, std::move(options))) {
    auto& tls = shared_->tls;
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    tls.set_verify_mode(asio::ssl::verify_peer);
    beast::error_code ec;
    if (shared_->options.ca_file.empty()) {
      tls.set_default_verify_paths(ec);
    } else {
      tls.load_verify_file(shared_->options.ca_file, ec);
    }
    if (ec) {
      throw std::invalid_argument(
          "cannot load CA certificates" +
          (shared_->options.ca_file.empty() ? std::string() : " from " + shared_->options.ca_file) +
          ": " + ec.message());
    }
  }

  void post(const std::string& url, std::string body,
            std::function<void(PostAnswer)> done) override {
    std::string why;
    auto parsed = parse_url(url, &why);
    if (!parsed) {
      done(failed(why));
      return;
    }
    asio::co_spawn(shared_->io, perform(shared_, std::move(*parsed), std::move(body)),
                   [done = std::move(done)](const std::exception_ptr& e, PostAnswer a) {
                     if (e) {
                       a = failed("unexpected failure");
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& x) {
                         a = failed(x.what());
                       } catch (...) {  // NOLINT(bugprone-empty-catch)
                       }
                     }
                     done(std::move(a));
                   });
  }

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace

std::unique_ptr<HttpPoster> make_http_poster(asio::io_context& io, PosterOptions options) {
  return std::make_unique<BeastPoster>(io, std::move(options));
}

}  // namespace kiln::notify
