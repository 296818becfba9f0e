#include "fake-databricks/serve/server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <iostream>
#include <map>
#include <stdexcept>

#include "core/events/trace.h"
#include "fake-databricks/api/request_checks.h"
#include "fake-databricks/serve/http_handler.h"

namespace fakedb::serve {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// Open connections, in all and per client address. Shared with the sessions (not owned by the
// server) because a session's frame may be destroyed after the server, with the io_context.
struct ConnectionCounts {
  std::size_t total = 0;
  std::map<asio::ip::address, std::size_t> per_ip;
};

// One connection's slot, released on every way out of the session (an exception included).
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<ConnectionCounts> counts, asio::ip::address ip)
      : counts_(std::move(counts)), ip_(std::move(ip)) {
    ++counts_->total;
    ++counts_->per_ip[ip_];
  }
  ~ConnectionSlot() {
    --counts_->total;
    if (--counts_->per_ip[ip_] == 0) counts_->per_ip.erase(ip_);
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  std::size_t total() const { return counts_->total; }
  std::size_t from_ip() const { return counts_->per_ip[ip_]; }

 private:
  std::shared_ptr<ConnectionCounts> counts_;
  asio::ip::address ip_;
};

void log_line(const std::string& line) {
  std::cerr << "fake-databricks serve: " << escape_utf8(line) << std::endl;
}

}  // namespace

struct Server::Impl {
  asio::io_context& io;
  ServeOptions options;
  kiln::core::SimulatedLoop loop;
  kiln::core::EventLog events;
  FakeWorkspace workspace;
  VirtualTime time;
  TraceBuffer trace;
  ServeState state;
  tcp::acceptor acceptor;
  std::optional<asio::ssl::context> tls;
  asio::steady_timer pump;
  asio::steady_timer accept_pause;
  std::shared_ptr<ConnectionCounts> connections = std::make_shared<ConnectionCounts>();
  std::atomic<std::uint64_t> accept_failures{0};
  bool stopping = false;

  Impl(asio::io_context& io_context, ServeOptions o)
      : io(io_context),
        options(std::move(o)),
        loop(options.config.start_time_ms),
        workspace(loop, events, options.seed, options.config),
        time(loop, options.time_scale),
        trace(options.trace_lines_max),
        state{workspace, time, trace, options.token},
        acceptor(io_context),
        pump(io_context),
        accept_pause(io_context) {
    events.subscribe([this](const kiln::core::Event& e) { trace.add(e.to_json_line()); });
    if (options.tls_cert_file.has_value() != options.tls_key_file.has_value()) {
      throw std::runtime_error("--tls-cert and --tls-key go together");
    }
    if (options.tls_cert_file) {
      tls.emplace(asio::ssl::context::tls_server);
      boost::system::error_code ec;
      tls->use_certificate_chain_file(*options.tls_cert_file, ec);
      if (ec)
        throw std::runtime_error("cannot read TLS certificate " + *options.tls_cert_file + ": " +
                                 ec.message());
      tls->use_private_key_file(*options.tls_key_file, asio::ssl::context::pem, ec);
      if (ec)
        throw std::runtime_error("cannot read TLS key " + *options.tls_key_file + ": " +
                                 ec.message());
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options.address, ec);
    if (ec) throw std::runtime_error("bad listen address " + options.address + ": " + ec.message());
    const tcp::endpoint endpoint(address, options.port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint, ec);
    if (ec)
      throw std::runtime_error("cannot listen on " + options.address + ":" +
                               std::to_string(options.port) + ": " + ec.message());
    acceptor.listen(asio::socket_base::max_listen_connections);
    asio::co_spawn(io, accept_loop(), asio::detached);
    asio::co_spawn(io, pump_loop(), asio::detached);
  }

  // Virtual time moves on between requests too, so schedules fire and runs finish.
  asio::awaitable<void> pump_loop() {
    while (!stopping) {
      pump.expires_after(std::chrono::milliseconds(options.pump_interval_ms));
      auto [ec] = co_await pump.async_wait(kNoThrow);
      if (ec || stopping) break;
      try {
        time.catch_up();
      } catch (const std::exception& e) {
        // A throwing event subscriber must not stop virtual time for good.
        log_line(std::string("fake-databricks serve: virtual time: ") + e.what());
      }
    }
  }

  asio::awaitable<void> accept_loop() {
    bool failing = false;  // log once per spell of failures, not once per failed accept
    while (!stopping) {
      auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) break;
        // E.g. EMFILE: the pending connection stays queued, so accepting again at once would
        // fail again at once (a busy loop). Pause, keep serving the open connections.
        ++accept_failures;
        if (!failing) {
          log_line("cannot accept connections (" + ec.message() + "); retrying every " +
                   std::to_string(options.accept_backoff_ms) + " ms");
        }
        failing = true;
        accept_pause.expires_after(std::chrono::milliseconds(options.accept_backoff_ms));
        co_await accept_pause.async_wait(kNoThrow);
        continue;
      }
      failing = false;
      asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
  }

  // One connection. Nothing thrown inside may escape (co_spawn's detached would swallow it and
  // the slot would never be released): it ends this connection only, with one line on stderr.
  asio::awaitable<void> session(tcp::socket socket) {
    boost::system::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    ConnectionSlot slot(connections, ec ? asio::ip::address() : peer.address());
    try {
      co_await serve_connection(beast::tcp_stream(std::move(socket)), slot);
    } catch (const std::exception& e) {
      log_line("closed a connection after an internal error: " + std::string(e.what()));
    } catch (...) {
      log_line("closed a connection after an internal error");
    }
  }

  asio::awaitable<void> serve_connection(beast::tcp_stream stream, const ConnectionSlot& slot) {
    const bool per_ip_full =
        options.max_connections_per_ip > 0 && slot.from_ip() > options.max_connections_per_ip;
    if (slot.total() > options.max_connections || per_ip_full) {
      // Over a cap: one clear answer, then close.
      auto res = error_response(http::status::service_unavailable, "TEMPORARILY_UNAVAILABLE",
                                per_ip_full ? "Too many connections from this address; retry later."
                                            : "Too many connections; retry later.",
                                11, false);
      res.set(http::field::retry_after, "1");
      stream.expires_after(std::chrono::milliseconds(options.read_timeout_ms));
      co_await http::async_write(stream, res, kNoThrow);
    } else if (tls) {
      beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), *tls);
      // A client that opens a connection and says nothing gets the first-byte timeout.
      beast::get_lowest_layer(secure).expires_after(std::chrono::milliseconds(
          std::min(options.first_byte_timeout_ms, options.read_timeout_ms)));
      auto [ec] = co_await secure.async_handshake(asio::ssl::stream_base::server, kNoThrow);
      if (!ec) {
        co_await serve_requests(secure);
        beast::get_lowest_layer(secure).expires_after(std::chrono::seconds(2));
        co_await secure.async_shutdown(kNoThrow);
      }
    } else {
      co_await serve_requests(stream);
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  template <class Stream>
  asio::awaitable<void> serve_requests(Stream& stream) {
    beast::flat_buffer buffer;
    {
      // The first byte of the first request comes soon, or the connection goes: connections
      // that send nothing must not hold the slots of clients that do (docs/serve.md).
      beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(
          std::min(options.first_byte_timeout_ms, options.read_timeout_ms)));
      auto [ec, bytes] = co_await stream.async_read_some(buffer.prepare(4096), kNoThrow);
      if (ec) co_return;
      buffer.commit(bytes);
    }
    while (!stopping) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      parser.body_limit(options.max_body_bytes);
      beast::get_lowest_layer(stream).expires_after(
          std::chrono::milliseconds(options.read_timeout_ms));
      auto [ec, bytes] = co_await http::async_read(stream, buffer, parser, kNoThrow);
      if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
          ec == asio::error::connection_reset || ec == asio::error::eof) {
        co_return;
      }
      if (ec) {
        // Unparseable or oversized: say so and close (the stream may be mid-message).
        const bool too_big = ec == http::error::body_limit;
        const bool headers = ec == http::error::header_limit;
        auto res = error_response(too_big   ? http::status::payload_too_large
                                  : headers ? http::status::request_header_fields_too_large
                                            : http::status::bad_request,
                                  too_big ? "RESOURCE_EXHAUSTED" : "MALFORMED_REQUEST",
                                  too_big ? "The request body is larger than " +
                                                std::to_string(options.max_body_bytes) + " bytes."
                                  : headers ? "The request headers are too large."
                                            : "Malformed HTTP request: " + ec.message(),
                                  11, false);
        co_await http::async_write(stream, res, kNoThrow);
        co_return;
      }
      Request req = parser.release();
      Reply reply = handle_http(state, req);
      if (reply.drop) co_return;  // a dropped-connection fault
      if (reply.delay.count() > 0) {
        asio::steady_timer wait(io, reply.delay);
        co_await wait.async_wait(kNoThrow);
      }
      const bool keep_alive = reply.response.keep_alive();
      beast::get_lowest_layer(stream).expires_after(
          std::chrono::milliseconds(options.read_timeout_ms));
      auto [write_ec, written] = co_await http::async_write(stream, reply.response, kNoThrow);
      if (write_ec || !keep_alive) co_return;
    }
  }
};

Server::Server(asio::io_context& io, ServeOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(options))) {}

Server::~Server() = default;

std::uint16_t Server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string Server::url() const {
  return std::string(impl_->tls ? "https" : "http") + "://" + impl_->options.address + ":" +
         std::to_string(port());
}

void Server::stop() {
  impl_->stopping = true;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->pump.cancel();
  impl_->accept_pause.cancel();
}

FakeWorkspace& Server::workspace() {
  return impl_->workspace;
}

std::uint64_t Server::accept_failures() const {
  return impl_->accept_failures.load();
}

}  // namespace fakedb::serve
