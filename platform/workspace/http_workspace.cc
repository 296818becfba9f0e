#include "platform/workspace/http_workspace.h"

#include <openssl/x509.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <cctype>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "platform/workspace/databricks_config.h"
#include "platform/workspace/http_connection.h"
#include "platform/workspace/wire.h"

namespace kiln::workspace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using databricks::ApiRequest;
using databricks::ApiResponse;
using detail::Connection;

namespace {

// Idle connections older than this are dropped rather than reused: servers and load balancers
// commonly close keep-alive connections after 60 s or less.
constexpr auto kMaxIdle = std::chrono::seconds(30);

bool lower_prefix(const std::string& text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<HttpEndpoint> parse_endpoint(const std::string& url, std::string* error) {
  if (has_credentials(url)) {
    // Never echoed: the part before '@' is a password.
    if (error != nullptr) *error = kCredentialsInHost;
    return std::nullopt;
  }
  auto fail = [&](const std::string& why) -> std::optional<HttpEndpoint> {
    if (error != nullptr) *error = "bad host '" + url + "': " + why;
    return std::nullopt;
  };
  HttpEndpoint e;
  std::string rest = url;
  if (lower_prefix(url, "https://")) {
    rest = url.substr(8);
  } else if (lower_prefix(url, "http://")) {
    e.tls = false;
    rest = url.substr(7);
  } else if (url.find("://") != std::string::npos) {
    return fail("expected an http:// or https:// URL");
  }
  const auto slash = rest.find('/');
  if (slash != std::string::npos) {
    if (rest.find_first_not_of('/', slash) != std::string::npos) {
      return fail("a workspace host has no path");
    }
    rest.resize(slash);
  }
  std::string port;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    const auto close = rest.find(']');
    if (close == std::string::npos) return fail("unterminated '['");
    e.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return fail("expected ':' after ']'");
      port = rest.substr(close + 2);
    }
  } else {
    const auto colon = rest.rfind(':');
    e.host = rest.substr(0, colon);
    if (colon != std::string::npos) port = rest.substr(colon + 1);
  }
  if (e.host.empty()) return fail("no host name");
  if (port.empty()) port = e.tls ? "443" : "80";
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoi(port) > 65535) {
    return fail("bad port '" + port + "'");
  }
  e.port = port;
  return e;
}

struct HttpWorkspace::State {
  State(asio::io_context& context, HttpConfig c) : io(context), config(std::move(c)) {}

  asio::io_context& io;
  HttpConfig config;
  HttpEndpoint endpoint;
  std::string host_header;
  std::unique_ptr<asio::ssl::context> tls;
  std::vector<std::unique_ptr<Connection>> idle;  // most recently used last
  HttpCounters counters;
  bool closed = false;

  std::unique_ptr<Connection> take_idle() {
    const auto now = std::chrono::steady_clock::now();
    while (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      if (now - c->idle_since < kMaxIdle && c->still_open()) return c;
      c->close();
    }
    return nullptr;
  }

  void give_back(std::unique_ptr<Connection> c) {
    if (closed || idle.size() >= config.max_idle_connections) {
      c->close();
      return;
    }
    c->idle_since = std::chrono::steady_clock::now();
    idle.push_back(std::move(c));
  }

  detail::Request build(const ApiRequest& r) const {
    detail::Request msg;
    msg.version(11);
    msg.method_string(r.method);
    std::string target = r.path;
    if (!r.query.empty())
      target += (target.find('?') == std::string::npos ? "?" : "&") + encode_query(r.query);
    msg.target(target);
    msg.set(http::field::host, host_header);
    msg.set(http::field::user_agent, config.user_agent);
    msg.set(http::field::content_type, "application/json");
    msg.set(http::field::accept, "application/json");
    if (!config.token.empty()) msg.set(http::field::authorization, "Bearer " + config.token);
    if (r.method != "GET") msg.body() = r.body.is_null() ? "{}" : r.body.dump();
    msg.keep_alive(true);
    msg.prepare_payload();
    return msg;
  }

  // "TLS: certificate verify failed (unable to get local issuer certificate) for host h:443":
  // said once per request, not buried in a retry loop (retry_policy.h never retries it).
  ApiResponse tls_refused(long verify_result) {
    ++counters.transport_errors;
    std::string hint;
    if (verify_result == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
        verify_result == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
        verify_result == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN) {
      hint = config.ca_file.empty() ? "; --ca-file names the CA that signed it"
                                    : "; it is not signed by a CA of " + config.ca_file;
    }
    return transport_error(kTlsVerifyFailed, std::string("TLS: certificate verify failed (") +
                                                 X509_verify_cert_error_string(verify_result) +
                                                 ") for host " + endpoint.host + ":" +
                                                 endpoint.port + hint);
  }

  ApiResponse failure(const beast::error_code& ec, const char* step) {
    ++counters.transport_errors;
    const bool timeout = ec == beast::error::timeout;
    return transport_error(
        timeout ? "TIMEOUT" : "CONNECTION_ERROR",
        std::string(step) + " " + endpoint.host + ":" + endpoint.port + ": " +
            (timeout ? "no answer within " + std::to_string(config.timeout_ms) + " ms"
                     : ec.message()));
  }
};

namespace {

ApiResponse to_api_response(const detail::Response& res) {
  ApiResponse r;
  r.status = static_cast<int>(res.result_int());
  if (const auto it = res.find(http::field::retry_after); it != res.end()) {
    r.retry_after_s = parse_retry_after(std::string_view(it->value().data(), it->value().size()));
  }
  if (r.status >= 200 && r.status < 300) {
    if (res.body().empty()) return r;
    r.body = nlohmann::json::parse(res.body(), nullptr, /*allow_exceptions=*/false);
    if (r.body.is_discarded()) {
      return transport_error("INVALID_RESPONSE",
                             "HTTP " + std::to_string(r.status) +
                                 " with a body that is not JSON: " + res.body().substr(0, 200));
    }
    return r;
  }
  std::string_view databricks_reason;
  if (const auto it = res.find("X-Databricks-Reason-Phrase"); it != res.end()) {
    databricks_reason = std::string_view(it->value().data(), it->value().size());
  }
  r.body = parse_error_body(RawError{r.status,
                                     std::string_view(res.reason().data(), res.reason().size()),
                                     res.body(), databricks_reason});
  return r;
}

asio::awaitable<ApiResponse> perform(std::shared_ptr<HttpWorkspace::State> s, ApiRequest request) {
  ++s->counters.requests;
  const detail::Request msg = s->build(request);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(s->config.timeout_ms);
  auto conn = s->take_idle();
  bool reused = conn != nullptr;
  // A reused connection may have been closed by the server just as we sent: then (and only
  // when the request cannot have taken effect twice) the request goes once more on a new one.
  for (int round = 0; round < 2; ++round) {
    if (!conn) {
      conn = std::make_unique<Connection>(s->io, s->tls.get());
      beast::error_code ec;
      ++s->counters.connections_opened;
      co_await conn->open(s->endpoint, !s->config.insecure_skip_verify, deadline, ec);
      if (ec && conn->tls_verify_result() != X509_V_OK) {
        co_return s->tls_refused(conn->tls_verify_result());
      }
      if (ec) co_return s->failure(ec, "connecting to");
    } else {
      ++s->counters.connections_reused;
    }
    auto out = co_await conn->exchange(msg, deadline);
    if (!out.ec) {
      if (out.keep_alive) {
        s->give_back(std::move(conn));
      } else {
        conn->close();
      }
      co_return to_api_response(out.response);
    }
    conn->close();
    conn.reset();
    const bool stale = reused && !out.got_some && out.ec != beast::error::timeout &&
                       (request.method == "GET" || !out.wrote);
    if (!stale) co_return s->failure(out.ec, "requesting from");
    reused = false;
  }
  co_return transport_error("CONNECTION_ERROR", "unreachable");
}

}  // namespace

HttpWorkspace::HttpWorkspace(asio::io_context& io, HttpConfig config)
    : state_(std::make_shared<State>(io, std::move(config))) {
  std::string error;
  auto endpoint = parse_endpoint(state_->config.host, &error);
  if (!endpoint) throw std::invalid_argument(error);
  state_->endpoint = *endpoint;
  const bool default_port = state_->endpoint.port == (endpoint->tls ? "443" : "80");
  const bool v6 = endpoint->host.find(':') != std::string::npos;
  state_->host_header = (v6 ? "[" + endpoint->host + "]" : endpoint->host) +
                        (default_port ? "" : ":" + endpoint->port);
  if (!endpoint->tls) return;
  state_->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  auto& tls = *state_->tls;
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  if (state_->config.insecure_skip_verify) {
    tls.set_verify_mode(asio::ssl::verify_none);
    return;
  }
  tls.set_verify_mode(asio::ssl::verify_peer);
  if (state_->config.ca_file.empty()) {
    tls.set_default_verify_paths(ec);
  } else {
    tls.load_verify_file(state_->config.ca_file, ec);
  }
  if (ec) {
    throw std::invalid_argument(
        "cannot load CA certificates" +
        (state_->config.ca_file.empty() ? std::string() : " from " + state_->config.ca_file) +
        ": " + ec.message());
  }
}

HttpWorkspace::~HttpWorkspace() {
  state_->closed = true;
  for (auto& c : state_->idle) c->close();
  state_->idle.clear();
}

void HttpWorkspace::call(ApiRequest request, std::function<void(ApiResponse)> done) {
  auto state = state_;
  asio::post(state->io, [state, request = std::move(request), done = std::move(done)]() mutable {
    asio::co_spawn(state->io, perform(state, std::move(request)),
                   [done = std::move(done)](const std::exception_ptr& e, ApiResponse r) {
                     if (e) {
                       std::string what = "unexpected failure";
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& x) {
                         what = x.what();
                       } catch (...) {  // NOLINT(bugprone-empty-catch)
                       }
                       r = transport_error("CONNECTION_ERROR", what);
                     }
                     done(std::move(r));
                   });
  });
}

const HttpCounters& HttpWorkspace::counters() const {
  return state_->counters;
}

std::size_t HttpWorkspace::idle_connections() const {
  return state_->idle.size();
}

}  // namespace kiln::workspace
