#include "platform/workspace/test_http_server.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace kiln::workspace::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct TestServer::Impl {
  Impl(asio::io_context& io, Handler h) : handler(std::move(h)), acceptor(io) {}
  Handler handler;
  std::unique_ptr<asio::ssl::context> tls;
  tcp::acceptor acceptor;
  int accepted = 0;
  std::vector<SeenRequest> requests;
  std::vector<std::shared_ptr<void>> hung;  // connections left unanswered, kept open
};

namespace {

using Impl = TestServer::Impl;

template <class Stream>
asio::awaitable<void> session(std::shared_ptr<Impl> impl, std::shared_ptr<Stream> stream,
                              int connection) {
  beast::error_code ec;
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    co_await stream->async_handshake(asio::ssl::stream_base::server,
                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(*stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    SeenRequest seen{
        std::string(req.method_string()), std::string(req.target()), req.body(), {}, connection};
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      seen.headers[name] = std::string(field.value());
    }
    impl->requests.push_back(seen);
    const Canned canned = impl->handler(seen);
    auto& socket = beast::get_lowest_layer(*stream).socket();
    if (canned.action == Canned::Action::drop) {
      socket.close(ec);
      co_return;
    }
    if (canned.action == Canned::Action::hang) {
      impl->hung.push_back(stream);
      co_return;
    }
    http::response<http::string_body> res{static_cast<http::status>(canned.status), 11};
    for (const auto& [name, value] : canned.headers) res.set(name, value);
    res.body() = canned.body;
    // answer_then_close: says keep-alive, then closes (a server dropping an idle connection).
    res.keep_alive(canned.keep_alive || canned.action == Canned::Action::answer_then_close);
    res.prepare_payload();
    co_await http::async_write(*stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || canned.action == Canned::Action::answer_then_close || !canned.keep_alive) {
      socket.shutdown(tcp::socket::shutdown_both, ec);
      socket.close(ec);
      co_return;
    }
  }
}

asio::awaitable<void> accept_loop(std::shared_ptr<Impl> impl) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket =
        co_await impl->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    const int connection = ++impl->accepted;
    auto executor = co_await asio::this_coro::executor;
    if (impl->tls) {
      auto stream = std::make_shared<beast::ssl_stream<beast::tcp_stream>>(
          beast::tcp_stream(std::move(socket)), *impl->tls);
      asio::co_spawn(executor, session(impl, stream, connection), asio::detached);
    } else {
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      asio::co_spawn(executor, session(impl, stream, connection), asio::detached);
    }
  }
}

struct Freer {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) {
    throw std::runtime_error("cannot add a certificate extension");
  }
  X509_EXTENSION_free(ext);
}

std::string pem_of(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return {data, static_cast<std::size_t>(size)};
}

}  // namespace

TlsIdentity make_self_signed(const std::string& common_name, const std::string& names) {
  std::unique_ptr<EVP_PKEY, Freer> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, Freer> cert(X509_new());
  if (!key || !cert) throw std::runtime_error("cannot make a key");
  X509_set_version(cert.get(), 2);
  static std::atomic<long> serial{1};
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86'400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
  add_extension(cert.get(), NID_subject_alt_name, names.c_str());
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("cannot sign the certificate");
  }
  std::unique_ptr<BIO, Freer> cert_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, Freer> key_bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(cert_bio.get(), cert.get());
  PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return {pem_of(cert_bio.get()), pem_of(key_bio.get())};
}

TempFile::TempFile(const std::string& contents) {
  static int counter = 0;
  path_ = (std::filesystem::temp_directory_path() /
           ("kiln-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".pem"))
              .string();
  std::ofstream(path_) << contents;
}

TempFile::~TempFile() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

TestServer::TestServer(asio::io_context& io, Handler handler, const TlsIdentity* tls)
    : impl_(std::make_shared<Impl>(io, std::move(handler))) {
  if (tls != nullptr) {
    impl_->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    impl_->tls->use_certificate_chain(asio::buffer(tls->cert_pem));
    impl_->tls->use_private_key(asio::buffer(tls->key_pem), asio::ssl::context::pem);
  }
  const tcp::endpoint loopback(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(loopback.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(loopback);
  impl_->acceptor.listen();
  asio::co_spawn(io, accept_loop(impl_), asio::detached);
}

TestServer::~TestServer() {
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->hung.clear();
}

std::string TestServer::url() const {
  return std::string(impl_->tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

int TestServer::accepted() const {
  return impl_->accepted;
}

const std::vector<SeenRequest>& TestServer::requests() const {
  return impl_->requests;
}

databricks::ApiResponse call_and_wait(asio::io_context& io, databricks::WorkspaceApi& api,
                                      databricks::ApiRequest request) {
  std::optional<databricks::ApiResponse> answer;
  api.call(std::move(request), [&answer](databricks::ApiResponse r) { answer = std::move(r); });
  io.restart();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!answer && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(100));
  }
  if (!answer) throw std::runtime_error("no answer within 10 s");
  return *answer;
}

}  // namespace kiln::workspace::testing
