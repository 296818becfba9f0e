// fake-databricks serve over TLS.
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>

#include "fake-databricks/serve/test_certificate.h"
#include "fake-databricks/serve/test_server.h"

using namespace fakedb::serve;
using namespace fakedb::serve::testing;
namespace ssl = boost::asio::ssl;

namespace {

// One request over TLS, verifying the server against `ca_file`. Returns the status, or -1 if
// the handshake was refused.
int tls_get(std::uint16_t port, const std::string& ca_file, const std::string& target) {
  boost::asio::io_context io;
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_peer);
  ctx.load_verify_file(ca_file);
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  beast::get_lowest_layer(stream).connect(
      tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  beast::error_code ec;
  stream.handshake(ssl::stream_base::client, ec);
  if (ec) return -1;
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer secret");
  http::write(stream, req);
  beast::flat_buffer buffer;
  Reply res;
  http::read(stream, buffer, res);
  stream.shutdown(ec);
  return res.result_int();
}

}  // namespace

TEST_CASE("the server speaks TLS with its certificate and a client that trusts it gets answers") {
  TestCertificate cert;
  ServeOptions o;
  o.tls_cert_file = cert.cert_file.string();
  o.tls_key_file = cert.key_file.string();
  Served s(o);
  CHECK(s.server->url().rfind("https://", 0) == 0);
  CHECK(tls_get(s.port, cert.cert_file.string(), "/api/2.2/jobs/list") == 200);
}

TEST_CASE("a client that trusts another certificate refuses the handshake") {
  TestCertificate cert, other;
  ServeOptions o;
  o.tls_cert_file = cert.cert_file.string();
  o.tls_key_file = cert.key_file.string();
  Served s(o);
  CHECK(tls_get(s.port, other.cert_file.string(), "/api/2.2/jobs/list") == -1);
  CHECK(tls_get(s.port, cert.cert_file.string(), "/api/2.2/jobs/list") == 200);  // still serving
}

TEST_CASE("a certificate without its key or an unreadable one is a clear startup error") {
  TestCertificate cert;
  boost::asio::io_context io;
  ServeOptions o;
  o.tls_cert_file = cert.cert_file.string();
  CHECK_THROWS_WITH(Server(io, o), "--tls-cert and --tls-key go together");
  o.tls_key_file = (cert.dir / "missing.pem").string();
  CHECK_THROWS_WITH(Server(io, o), Catch::StartsWith("cannot read TLS key"));
}

TEST_CASE("a port in use is a clear startup error") {
  Served s;
  boost::asio::io_context io;
  ServeOptions o;
  o.port = s.port;
  o.token = "t";
  CHECK_THROWS_WITH(Server(io, o), Catch::StartsWith("cannot listen on 127.0.0.1:"));
}
