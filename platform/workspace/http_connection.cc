#include "platform/workspace/http_connection.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace kiln::workspace::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::uint64_t kBodyLimit = 256ULL * 1024 * 1024;

// Checks the certificate's name (or IP address) and sends SNI for a name, as browsers do.
void prepare_tls(SSL* ssl, const std::string& host, bool verify, beast::error_code& ec) {
  boost::system::error_code not_ip;
  (void)asio::ip::make_address(host, not_ip);
  const bool is_ip = !not_ip;
  // SSL_set_tlsext_host_name, without the macro's C cast.
  if (!is_ip && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                         const_cast<char*>(host.c_str())) != 1) {
    ec = beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    return;
  }
  if (!verify) return;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  const int set = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                        : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (set != 1) {
    ec = beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
  }
}

}  // namespace

Connection::Connection(asio::io_context& io, asio::ssl::context* tls) {
  if (tls != nullptr) {
    tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io, *tls);
  } else {
    plain_ = std::make_unique<beast::tcp_stream>(io);
  }
}

beast::tcp_stream& Connection::tcp() {
  return tls_ ? beast::get_lowest_layer(*tls_) : *plain_;
}

bool Connection::still_open() {
  auto& socket = tcp().socket();
  if (!socket.is_open()) return false;
  // An idle keep-alive connection has nothing to read: EOF or any byte (a close_notify, an
  // unsolicited 408) means the server is done with it.
  beast::error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return false;
  char byte = 0;
  socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
  beast::error_code ignored;
  socket.non_blocking(false, ignored);
  return ec == asio::error::would_block;
}

void Connection::close() {
  beast::error_code ignored;
  tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
  tcp().socket().close(ignored);
}

asio::awaitable<void> Connection::open(const HttpEndpoint& endpoint, bool verify, Deadline deadline,
                                       beast::error_code& ec) {
  auto executor = co_await asio::this_coro::executor;
  // The resolver cannot time out by itself: a timer cancels it at the deadline.
  auto resolver = std::make_shared<tcp::resolver>(executor);
  asio::steady_timer timer(executor, deadline);
  timer.async_wait([resolver](beast::error_code e) {
    if (!e) resolver->cancel();
  });
  const auto results = co_await resolver->async_resolve(
      endpoint.host, endpoint.port, asio::redirect_error(asio::use_awaitable, ec));
  timer.cancel();
  if (ec) {
    if (ec == asio::error::operation_aborted) ec = beast::error::timeout;
    co_return;
  }
  tcp().expires_at(deadline);
  co_await tcp().async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || !tls_) co_return;
  prepare_tls(tls_->native_handle(), endpoint.host, verify, ec);
  if (ec) co_return;
  co_await tls_->async_handshake(asio::ssl::stream_base::client,
                                 asio::redirect_error(asio::use_awaitable, ec));
  if (ec && verify) tls_verify_result_ = SSL_get_verify_result(tls_->native_handle());
}

template <class Stream>
asio::awaitable<void> Connection::exchange_on(Stream& stream, const Request& request,
                                              Outcome& out) {
  co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, out.ec));
  if (out.ec) co_return;
  out.wrote = true;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  co_await http::async_read(stream, buffer_, parser,
                            asio::redirect_error(asio::use_awaitable, out.ec));
  out.got_some = parser.got_some();
  if (out.ec) co_return;
  out.keep_alive = parser.keep_alive();
  out.response = parser.release();
}

asio::awaitable<Connection::Outcome> Connection::exchange(const Request& request,
                                                          Deadline deadline) {
  Outcome out;
  tcp().expires_at(deadline);
  if (tls_) {
    co_await exchange_on(*tls_, request, out);
  } else {
    co_await exchange_on(*plain_, request, out);
  }
  tcp().expires_never();
  co_return out;
}

}  // namespace kiln::workspace::detail
