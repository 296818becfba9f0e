// A served workspace on a background thread and a small blocking HTTP client, for tests.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "fake-databricks/serve/server.h"

namespace fakedb::serve::testing {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using Reply = http::response<http::string_body>;

// A server on 127.0.0.1 with a free port; stopped and joined on destruction.
struct Served {
  explicit Served(ServeOptions options = {}) {
    if (options.token.empty()) options.token = "secret";
    options.time_scale = 1;  // tests move virtual time with /__fake/advance
    token = options.token;
    server = std::make_unique<Server>(io, options);
    port = server->port();
    thread = std::thread([this] { io.run(); });
  }
  ~Served() {
    boost::asio::post(io, [this] {
      server->stop();
      io.stop();
    });
    thread.join();
  }
  boost::asio::io_context io;
  std::unique_ptr<Server> server;
  std::uint16_t port = 0;
  std::string token;
  std::thread thread;
};

// One keep-alive connection to the server.
struct Client {
  explicit Client(std::uint16_t port) : stream(io) {
    stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  }

  Reply send(http::verb verb, const std::string& target, const std::string& body = "",
             const std::string& token = "secret", bool keep_alive = true) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    req.keep_alive(keep_alive);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    return read();
  }
  Reply read() {
    Reply res;
    http::read(stream, buffer, res);
    return res;
  }
  nlohmann::json post(const std::string& target, const nlohmann::json& body) {
    return nlohmann::json::parse(send(http::verb::post, target, body.dump()).body());
  }
  nlohmann::json get(const std::string& target) {
    return nlohmann::json::parse(send(http::verb::get, target).body());
  }
  // Whether the server has closed this connection (reads until EOF or an error).
  bool closed_by_server() {
    beast::error_code ec;
    Reply res;
    http::read(stream, buffer, res, ec);
    return ec == http::error::end_of_stream || ec == boost::asio::error::eof ||
           ec == boost::asio::error::connection_reset || ec == http::error::partial_message;
  }

  boost::asio::io_context io;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
};

}  // namespace fakedb::serve::testing
