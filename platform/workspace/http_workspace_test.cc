// HttpWorkspace against a small Beast server on loopback, on one io_context. Wall-clock bound
// (each wait at most 10 s), never asserting on durations.
#include "platform/workspace/http_workspace.h"

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "platform/workspace/databricks_config.h"
#include "platform/workspace/test_http_server.h"

namespace kiln::workspace {
namespace {

using databricks::ApiRequest;
using databricks::ApiResponse;
using nlohmann::json;
using testing::Canned;
using testing::SeenRequest;
using testing::TestServer;

Canned ok_body(const json& body) {
  Canned c;
  c.body = body.dump();
  return c;
}

HttpConfig config_for(const TestServer& server) {
  HttpConfig c;
  c.host = server.url();
  c.token = "dapi-test";
  c.timeout_ms = 5'000;
  return c;
}

TEST_CASE("HttpWorkspace reuses keep-alive connections and sends the headers", "[http]") {
  boost::asio::io_context io;
  TestServer server(io, [](const SeenRequest&) { return ok_body({{"jobs", json::array()}}); });
  HttpWorkspace api(io, config_for(server));
  for (int i = 0; i < 3; ++i) {
    const auto r = testing::call_and_wait(io, api, ApiRequest::get("/api/2.2/jobs/list"));
    CHECK(r.status == 200);
    CHECK(r.body == json{{"jobs", json::array()}});
  }
  CHECK(server.accepted() == 1);
  CHECK(api.counters().connections_opened == 1);
  CHECK(api.counters().connections_reused == 2);
  CHECK(api.idle_connections() == 1);
  const auto& seen = server.requests().at(0);
  CHECK(seen.headers.at("authorization") == "Bearer dapi-test");
  CHECK(seen.headers.at("user-agent") == "kiln/0.1");
  CHECK(seen.headers.at("content-type") == "application/json");
  CHECK(seen.headers.at("host") == server.url().substr(7));
}

TEST_CASE("HttpWorkspace encodes query pairs and sends POST bodies", "[http]") {
  boost::asio::io_context io;
  TestServer server(io, [](const SeenRequest&) { return ok_body({{"job_id", 7}}); });
  HttpWorkspace api(io, config_for(server));
  testing::call_and_wait(
      io, api,
      ApiRequest::get("/api/2.2/jobs/list",
                      {{"name", "nightly etl&more"}, {"limit", "20"}, {"name", "\xC3\xA9"}}));
  const json body = {{"name", "a \"job\""}, {"tags", {{"k", "v"}}}};
  const auto r = testing::call_and_wait(io, api, ApiRequest::post("/api/2.2/jobs/create", body));
  CHECK(r.body["job_id"] == 7);
  REQUIRE(server.requests().size() == 2);
  CHECK(server.requests()[0].method == "GET");
  CHECK(server.requests()[0].target ==
        "/api/2.2/jobs/list?name=nightly%20etl%26more&limit=20&name=%C3%A9");
  CHECK(server.requests()[0].body.empty());
  CHECK(server.requests()[1].method == "POST");
  CHECK(json::parse(server.requests()[1].body) == body);
}

TEST_CASE("HttpWorkspace normalises error bodies and reads Retry-After", "[http]") {
  boost::asio::io_context io;
  TestServer server(io, [](const SeenRequest& req) {
    Canned c;
    if (req.target == "/text") {
      c.status = 503;
      c.body = "TEMPORARILY_UNAVAILABLE: Try again later.";
      c.headers = {{"Content-Type", "text/plain"}, {"Retry-After", "7"}};
    } else if (req.target == "/token") {
      c.status = 403;
      c.body = R"({"error_code": 403, "message": "Invalid access token."})";
    } else {
      c.status = 502;
      c.body = "";
    }
    return c;
  });
  HttpWorkspace api(io, config_for(server));
  auto r = testing::call_and_wait(io, api, ApiRequest::get("/text"));
  CHECK(r.status == 503);
  CHECK(r.body["error_code"] == "TEMPORARILY_UNAVAILABLE");
  CHECK(r.body["message"] == "Try again later.");
  CHECK(r.retry_after_s == 7);
  r = testing::call_and_wait(io, api, ApiRequest::get("/token"));
  CHECK(r.status == 403);
  CHECK(r.body["error_code"] == "403");
  CHECK_FALSE(r.retry_after_s);
  r = testing::call_and_wait(io, api, ApiRequest::get("/empty"));
  CHECK(r.status == 502);
  CHECK(r.body["error_code"] == "BAD_GATEWAY");  // from the reason phrase
  CHECK(server.accepted() == 1);
}

TEST_CASE("HttpWorkspace answers status 0 on a dropped connection", "[http]") {
  boost::asio::io_context io;
  TestServer server(io, [](const SeenRequest&) {
    Canned c;
    c.action = Canned::Action::drop;
    return c;
  });
  HttpWorkspace api(io, config_for(server));
  const auto r = testing::call_and_wait(io, api, ApiRequest::post("/api/2.2/jobs/run-now", {}));
  CHECK(r.status == 0);
  CHECK(r.body["error_code"] == "CONNECTION_ERROR");
  CHECK(server.requests().size() == 1);  // not retried
  CHECK(api.counters().transport_errors == 1);
}

TEST_CASE("HttpWorkspace replaces a keep-alive connection the server closed", "[http]") {
  boost::asio::io_context io;
  TestServer server(io, [](const SeenRequest&) {
    Canned c;
    c.action = Canned::Action::answer_then_close;
    return c;
  });
  HttpWorkspace api(io, config_for(server));
  CHECK(testing::call_and_wait(io, api, ApiRequest::post("/a", {})).status == 200);
  io.restart();
  io.run_for(std::chrono::milliseconds(50));  // the server's close reaches us
  CHECK(testing::call_and_wait(io, api, ApiRequest::post("/b", {})).status == 200);
  CHECK(server.accepted() == 2);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("HttpWorkspace answers status 0 on a timeout", "[http]") {
  boost::asio::io_context io;
  TestServer server(io, [](const SeenRequest&) {
    Canned c;
    c.action = Canned::Action::hang;
    return c;
  });
  HttpConfig config = config_for(server);
  config.timeout_ms = 200;
  HttpWorkspace api(io, config);
  const auto r = testing::call_and_wait(io, api, ApiRequest::get("/api/2.2/jobs/list"));
  CHECK(r.status == 0);
  CHECK(r.body["error_code"] == "TIMEOUT");
  CHECK(api.idle_connections() == 0);
}

TEST_CASE("HttpWorkspace answers status 0 when nothing listens", "[http]") {
  boost::asio::io_context io;
  unsigned short port = 0;
  {
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  HttpConfig config;
  config.host = "http://127.0.0.1:" + std::to_string(port);
  HttpWorkspace api(io, config);
  const auto r = testing::call_and_wait(io, api, ApiRequest::get("/api/2.2/jobs/list"));
  CHECK(r.status == 0);
  CHECK(r.body["error_code"] == "CONNECTION_ERROR");
}

TEST_CASE("HttpWorkspace verifies TLS against a CA file", "[http][tls]") {
  const auto identity = testing::make_self_signed("kiln test server");
  const testing::TempFile ca(identity.cert_pem);
  boost::asio::io_context io;
  TestServer server(
      io,
      [](const SeenRequest&) {
        return ok_body({{"ok", true}});
      },
      &identity);
  HttpConfig config = config_for(server);
  config.ca_file = ca.path();
  HttpWorkspace api(io, config);
  for (int i = 0; i < 2; ++i) {
    const auto r = testing::call_and_wait(io, api, ApiRequest::get("/api/2.2/jobs/list"));
    CHECK(r.status == 200);
    CHECK(r.body["ok"] == true);
  }
  CHECK(server.accepted() == 1);
}

TEST_CASE("HttpWorkspace refuses a certificate from another CA", "[http][tls]") {
  const auto identity = testing::make_self_signed("kiln test server");
  const auto stranger = testing::make_self_signed("someone else");
  const testing::TempFile wrong_ca(stranger.cert_pem);
  boost::asio::io_context io;
  TestServer server(
      io, [](const SeenRequest&) { return ok_body({}); }, &identity);
  HttpConfig config = config_for(server);
  config.ca_file = wrong_ca.path();
  HttpWorkspace api(io, config);
  const auto r = testing::call_and_wait(io, api, ApiRequest::get("/api/2.2/jobs/list"));
  CHECK(r.status == 0);
  CHECK(r.body["error_code"] == "TLS_VERIFY_FAILED");
  const std::string port = server.url().substr(server.url().rfind(':') + 1);
  CHECK(r.body["message"] ==
        "TLS: certificate verify failed (self-signed certificate) for host "
        "127.0.0.1:" +
            port + "; it is not signed by a CA of " + wrong_ca.path());
  CHECK(server.requests().empty());

  // insecure_skip_verify accepts it (off by default).
  config.insecure_skip_verify = true;
  HttpWorkspace insecure(io, config);
  CHECK(testing::call_and_wait(io, insecure, ApiRequest::get("/x")).status == 200);
}

TEST_CASE("HttpWorkspace says a certificate for another name is refused", "[http][tls]") {
  const auto identity = testing::make_self_signed("kiln test server", "DNS:elsewhere.example");
  const testing::TempFile ca(identity.cert_pem);
  boost::asio::io_context io;
  TestServer server(
      io, [](const SeenRequest&) { return ok_body({}); }, &identity);
  HttpConfig config = config_for(server);
  config.ca_file = ca.path();
  HttpWorkspace api(io, config);
  const auto r = testing::call_and_wait(io, api, ApiRequest::get("/api/2.2/jobs/list"));
  CHECK(r.status == 0);
  CHECK(r.body["error_code"] == "TLS_VERIFY_FAILED");
  CHECK_THAT(r.body["message"].get<std::string>(),
             Catch::StartsWith("TLS: certificate verify failed (IP address mismatch) for host "
                               "127.0.0.1:"));
  CHECK(api.counters().transport_errors == 1);
}

TEST_CASE("HttpWorkspace refuses a host with credentials without repeating them", "[http]") {
  boost::asio::io_context io;
  HttpConfig config;
  for (const char* host : {"http://user:s3cret@127.0.0.1:8080", "https://s3cret@example.com/",
                           "user:s3cret@example.com"}) {
    config.host = host;
    try {
      HttpWorkspace api(io, config);
      FAIL("accepted " << host);
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()) == kCredentialsInHost);
      CHECK_THAT(e.what(), !Catch::Contains("s3cret"));
    }
  }
  CHECK_FALSE(has_credentials("https://example.com/?a=b@c"));
}

TEST_CASE("HttpWorkspace refuses a bad host or CA file", "[http]") {
  boost::asio::io_context io;
  HttpConfig config;
  config.host = "ftp://example.com";
  CHECK_THROWS_WITH(HttpWorkspace(io, config),
                    "bad host 'ftp://example.com': expected an http:// or https:// URL");
  config.host = "https://example.com";
  config.ca_file = "/nonexistent/ca.pem";
  CHECK_THROWS_WITH(HttpWorkspace(io, config),
                    Catch::StartsWith("cannot load CA certificates from /nonexistent/ca.pem"));
}

}  // namespace
}  // namespace kiln::workspace
