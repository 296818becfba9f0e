// fake-databricks serve: one emulated workspace behind a Boost.Beast HTTP/1.1 server, plain or
// TLS, on the caller's io_context (one thread; the workspace is only touched from it).
//
// Every read has a timeout, bodies and headers have caps, connections have a cap (in all and per
// client address), a connection that sends nothing is closed soon, and a request the server
// cannot parse gets a 4xx with a Databricks error body: nothing a client sends can crash the
// server or stall other clients. An exception inside one connection ends that connection only
// (one line on stderr).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "fake-databricks/workspace/workspace_config.h"

namespace fakedb {
class FakeWorkspace;
}

namespace fakedb::serve {

struct ServeOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see Server::port())
  std::string token;       // the bearer token clients must send
  double time_scale = 1.0;
  std::uint64_t seed = 0;
  WorkspaceConfig config;
  std::optional<std::string> tls_cert_file, tls_key_file;  // both or neither
  std::size_t max_body_bytes = std::size_t{10} * 1024 * 1024;
  std::size_t max_header_bytes = std::size_t{16} * 1024;
  std::size_t max_connections = 512;
  // Connections from one client address; 0: no limit. On loopback every client shares one
  // address, so there the first-byte timeout below is what keeps idle connections from
  // holding every slot.
  std::size_t max_connections_per_ip = 128;
  // A new connection (or TLS handshake) must send its first byte within this, or it is closed.
  std::int64_t first_byte_timeout_ms = 5'000;
  std::int64_t read_timeout_ms = 30'000;
  // When accept fails (EMFILE: out of file descriptors), wait this long before accepting again.
  std::int64_t accept_backoff_ms = 100;
  std::int64_t pump_interval_ms = 20;  // how often virtual time catches up with no requests
  std::size_t trace_lines_max = 200'000;
};

class Server {
 public:
  // Binds and starts accepting. Throws std::runtime_error with a clear message if it cannot
  // (port in use, unreadable certificate).
  Server(boost::asio::io_context& io, ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;
  std::string url() const;  // http://127.0.0.1:PORT or https://...
  // Stops accepting and closes idle connections; io.run() returns once sessions end.
  void stop();

  FakeWorkspace& workspace();
  // Accepts that failed (out of descriptors, ...) since the start; safe to read from any thread.
  std::uint64_t accept_failures() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fakedb::serve
