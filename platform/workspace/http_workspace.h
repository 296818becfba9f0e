// HttpWorkspace: databricks::WorkspaceApi over HTTP/1.1 and HTTPS (Boost.Beast + OpenSSL), for kiln
// against a real Databricks workspace or `fake-databricks serve`. It runs on the caller's
// io_context (one thread, asynchronous) and never retries: put a RetryingWorkspace in front.
//
// - Keep-alive connections are reused: up to `max_idle_connections` idle ones are kept.
// - Every request carries Authorization: Bearer <token>, User-Agent and Content-Type:
//   application/json; a GET its query pairs URL-encoded, a POST its JSON body.
// - A transport failure (refused, reset, TLS, DNS) answers status 0 with error_code
//   CONNECTION_ERROR; no answer within `timeout_ms` answers status 0 with TIMEOUT; a server
//   certificate that fails verification answers status 0 with TLS_VERIFY_FAILED and a message
//   "TLS: certificate verify failed (<OpenSSL's reason>) for host <host>:<port>".
// - Error bodies are normalised as the SDKs read them (wire.h); Retry-After is read as seconds.
// - TLS verifies the server certificate and host name (against the system store, or `ca_file`)
//   and sends SNI.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock/clock.h"
#include "databricks/api/workspace_api.h"

namespace kiln::workspace {

struct HttpConfig {
  std::string host;   // "https://adb-1.azuredatabricks.net", "http://127.0.0.1:8080"
  std::string token;  // sent as a bearer token; empty: no Authorization header
  core::DurationMs timeout_ms = 60'000;  // per request: connect, TLS, write and read together
  std::size_t max_idle_connections = 8;
  std::string ca_file;                // PEM trust anchors; empty: the system store
  bool insecure_skip_verify = false;  // accept any certificate (never the default)
  std::string user_agent = "kiln/0.1";
};

// Where requests go, parsed from HttpConfig::host.
struct HttpEndpoint {
  bool tls = true;
  std::string host;  // a name or an IP address (IPv6 without brackets)
  std::string port;  // "443" by default for https, "80" for http
};
// Parses "https://name[:port][/]" or "http://...". Empty on a bad host, with `error` set. A
// host with credentials in it ("https://user:pass@name") is refused with kCredentialsInHost
// (databricks_config.h), which does not repeat them.
std::optional<HttpEndpoint> parse_endpoint(const std::string& url, std::string* error);

struct HttpCounters {
  std::uint64_t requests = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_reused = 0;
  std::uint64_t transport_errors = 0;  // answers with status 0
};

class HttpWorkspace final : public databricks::WorkspaceApi {
 public:
  // Throws std::invalid_argument if the host cannot be parsed or the CA file cannot be read.
  // `io` must outlive this object and every pending call.
  HttpWorkspace(boost::asio::io_context& io, HttpConfig config);
  ~HttpWorkspace() override;
  HttpWorkspace(const HttpWorkspace&) = delete;
  HttpWorkspace& operator=(const HttpWorkspace&) = delete;

  // `done` runs on the io_context's thread, never inside this call, exactly once (unless the
  // io_context is stopped first). Calls pending when this object is destroyed still answer.
  void call(databricks::ApiRequest request,
            std::function<void(databricks::ApiResponse)> done) override;

  const HttpCounters& counters() const;
  std::size_t idle_connections() const;

  struct State;  // shared with in-flight calls (http_workspace.cc)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace kiln::workspace
