// One HTTP/1.1 connection (plain TCP or TLS) of HttpWorkspace, and the two steps of a request on
// it: open (resolve, connect, TLS handshake) and exchange (write the request, read the answer).
// Internal to http_workspace.cc; coroutines on the io_context's executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>

#include "platform/workspace/http_workspace.h"

namespace kiln::workspace::detail {

using Deadline = std::chrono::steady_clock::time_point;
using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

class Connection {
 public:
  // A connection not yet open.
  Connection(boost::asio::io_context& io, boost::asio::ssl::context* tls);

  boost::beast::tcp_stream& tcp();
  // False if the peer has closed it (or sent anything) while it sat idle.
  bool still_open();
  void close();

  std::chrono::steady_clock::time_point idle_since{};
  // After open() failed in the TLS handshake: OpenSSL's verification result (X509_V_OK if the
  // certificate was not the problem). A refused certificate is a configuration error, not a
  // transient one.
  long tls_verify_result() const { return tls_verify_result_; }

  // Resolves, connects and (for TLS) handshakes, verifying the certificate against `host`
  // unless `verify` is false. Sets `ec` on failure.
  boost::asio::awaitable<void> open(const HttpEndpoint& endpoint, bool verify, Deadline deadline,
                                    boost::beast::error_code& ec);

  struct Outcome {
    boost::beast::error_code ec;
    bool wrote = false;     // the whole request went out
    bool got_some = false;  // some of an answer came back
    bool keep_alive = false;
    Response response;
  };
  boost::asio::awaitable<Outcome> exchange(const Request& request, Deadline deadline);

 private:
  template <class Stream>
  boost::asio::awaitable<void> exchange_on(Stream& stream, const Request& request, Outcome& out);

  std::unique_ptr<boost::beast::tcp_stream> plain_;
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  boost::beast::flat_buffer buffer_;
  long tls_verify_result_ = 0;  // X509_V_OK
};

}  // namespace kiln::workspace::detail
