// The Notifier and the real poster against HTTP(S) receivers on 127.0.0.1, on a RealLoop: what
// Slack and PagerDuty receive, retries after a 500 and a refused connection, a resolve after its
// trigger, and TLS verification. Short backoffs keep each case well under a second; every wait is
// bounded (5 s) and nothing asserts on durations.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>

#include "core/clock/real_loop.h"
#include "platform/notify/notifier.h"
#include "platform/workspace/test_http_server.h"

namespace kiln::notify {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using nlohmann::json;
using tcp = asio::ip::tcp;
using workspace::testing::Canned;
using workspace::testing::SeenRequest;
using workspace::testing::TestServer;

// Runs `io` until `done()` holds, for at most 5 s of wall time.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  io.restart();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(20));
  }
  return done();
}

RoutingConfig config(const std::string& base_url) {
  RoutingConfig c;
  c.sinks["slack"] =
      SinkConfig{"slack", SinkType::kSlack, base_url + "/services/T0/B0/secret", "", "kiln", ""};
  c.sinks["pd"] =
      SinkConfig{"pd", SinkType::kPagerDuty, base_url + "/v2/enqueue", "R0UTING", "kiln", ""};
  Route all;
  all.sinks = {"slack", "pd"};
  c.routes.push_back(all);
  c.delivery.first_backoff_ms = 20;
  c.delivery.max_backoff_ms = 100;
  c.delivery.max_attempts = 5;
  return c;
}

Canned answer(int status, const std::string& body) {
  Canned c;
  c.status = status;
  c.body = body;
  return c;
}

// Slack answers "ok"; PagerDuty 202 with its JSON status.
Canned like_the_services(const SeenRequest& r) {
  if (r.target.starts_with("/services/")) return answer(200, "ok");
  return answer(202, R"({"status":"success","message":"Event processed"})");
}

core::Event event(const std::string& type, json fields) {
  return core::Event{1'714'564'800'000, type, std::move(fields)};
}

core::Event failed_deploy() {
  return event("kiln.deployment", {{"deployment", 3},
                                   {"job", "etl"},
                                   {"target", "production"},
                                   {"version", 2},
                                   {"build", "b-9"},
                                   {"strategy", "simple"},
                                   {"requested_by", "user:alice"},
                                   {"status", "failed"},
                                   {"reason", "health check failed"},
                                   {"owner", "data-team"}});
}

std::uint64_t delivered(const Notifier& n, const std::string& sink) {
  return n.sink_counters().at(sink).delivered;
}

TEST_CASE("Slack and PagerDuty bodies arrive at a loopback receiver", "[http]") {
  asio::io_context io;
  core::RealLoop loop(io);
  TestServer server(io, like_the_services);
  auto poster = make_http_poster(io, {});
  Notifier notifier(loop, config(server.url()), *poster);
  notifier.on_event(failed_deploy());
  REQUIRE(
      run_until(io, [&] { return delivered(notifier, "slack") + delivered(notifier, "pd") == 2; }));
  REQUIRE(server.requests().size() == 2);
  // Two connections at once: either may arrive first.
  const bool slack_first = server.requests()[0].target.starts_with("/services/");
  const auto& slack = server.requests()[slack_first ? 0 : 1];
  const auto& pd = server.requests()[slack_first ? 1 : 0];
  CHECK(slack.method == "POST");
  CHECK(slack.target == "/services/T0/B0/secret");
  CHECK(slack.headers.at("content-type") == "application/json");
  CHECK(slack.headers.at("host") == server.url().substr(7));
  const json slack_body = json::parse(slack.body);
  CHECK(slack_body["text"] == ":x: Deploy of etl v2 to production failed");
  CHECK(slack_body["blocks"][0]["text"]["type"] == "mrkdwn");
  CHECK(pd.target == "/v2/enqueue");
  const json pd_body = json::parse(pd.body);
  CHECK(pd_body["routing_key"] == "R0UTING");
  CHECK(pd_body["event_action"] == "trigger");
  CHECK(pd_body["dedup_key"] == "kiln/production/etl/deploy");
  CHECK(pd_body["payload"]["severity"] == "error");
  CHECK(pd_body["payload"]["timestamp"] == "2024-05-01T12:00:00.000Z");
  CHECK(pd_body["payload"]["custom_details"]["owner"] == "data-team");
}

TEST_CASE("a 500 from the receiver is retried and then delivered", "[http]") {
  asio::io_context io;
  core::RealLoop loop(io);
  int slack_requests = 0;
  TestServer server(io, [&](const SeenRequest& r) {
    if (r.target.starts_with("/services/") && ++slack_requests == 1)
      return answer(500, "rollup_error");
    return like_the_services(r);
  });
  auto poster = make_http_poster(io, {});
  Notifier notifier(loop, config(server.url()), *poster);
  notifier.on_event(failed_deploy());
  REQUIRE(run_until(
      io, [&] { return delivered(notifier, "slack") == 1 && delivered(notifier, "pd") == 1; }));
  CHECK(slack_requests == 2);
  const auto& c = notifier.sink_counters().at("slack");
  CHECK(c.retried == 1);
  CHECK(c.last_error == "HTTP 500: rollup_error");
  CHECK(server.requests().size() == 3);
}

// Accepts connections on `acceptor` and answers each request 200 "ok", recording its body.
asio::awaitable<void> accept_and_answer(std::shared_ptr<tcp::acceptor> acceptor,
                                        std::shared_ptr<std::vector<std::string>> bodies) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket =
        co_await acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    co_await http::async_read(stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) continue;
    bodies->push_back(req.body());
    http::response<http::string_body> res{http::status::ok, 11};
    res.body() = "ok";
    res.prepare_payload();
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  }
}

TEST_CASE("a refused connection is retried until the receiver listens", "[http]") {
  asio::io_context io;
  core::RealLoop loop(io);
  // A port nobody listens on (yet).
  auto acceptor = std::make_shared<tcp::acceptor>(io);
  const tcp::endpoint any_port(asio::ip::make_address("127.0.0.1"), 0);
  acceptor->open(any_port.protocol());
  acceptor->set_option(tcp::acceptor::reuse_address(true));
  acceptor->bind(any_port);
  const tcp::endpoint endpoint = acceptor->local_endpoint();
  acceptor->close();
  auto c = config("http://127.0.0.1:" + std::to_string(endpoint.port()));
  c.routes[0].sinks = {"slack"};
  c.delivery.first_backoff_ms = 150;
  auto poster = make_http_poster(io, {});
  Notifier notifier(loop, c, *poster);
  notifier.on_event(failed_deploy());
  REQUIRE(run_until(io, [&] { return !notifier.sink_counters().at("slack").last_error.empty(); }));
  CHECK(notifier.sink_counters().at("slack").last_error.find("refused") != std::string::npos);
  // Now the receiver comes up, before the retry is due.
  auto bodies = std::make_shared<std::vector<std::string>>();
  acceptor->open(endpoint.protocol());
  acceptor->set_option(tcp::acceptor::reuse_address(true));
  acceptor->bind(endpoint);
  acceptor->listen();
  asio::co_spawn(io, accept_and_answer(acceptor, bodies), [](const std::exception_ptr&) {});
  REQUIRE(run_until(io, [&] { return delivered(notifier, "slack") == 1; }));
  CHECK(notifier.sink_counters().at("slack").retried >= 1);
  REQUIRE(bodies->size() == 1);
  CHECK(json::parse(bodies->front())["text"] == ":x: Deploy of etl v2 to production failed");
  acceptor->close();
}

TEST_CASE("a resolve follows its trigger with the same dedup key even when the trigger is retried",
          "[http]") {
  asio::io_context io;
  core::RealLoop loop(io);
  int pd_requests = 0;
  TestServer server(io, [&](const SeenRequest& r) {
    if (++pd_requests == 1) return answer(500, R"({"status":"error"})");
    return like_the_services(r);
  });
  auto c = config(server.url());
  c.routes[0].sinks = {"pd"};
  auto poster = make_http_poster(io, {});
  Notifier notifier(loop, c, *poster);
  const json run = {{"job", "etl"}, {"target", "production"}, {"run_id", 881}};
  notifier.on_event(event("job.run_failed", run));
  notifier.on_event(event("job.run_recovered", run));
  REQUIRE(run_until(io, [&] { return delivered(notifier, "pd") == 2; }));
  REQUIRE(server.requests().size() == 3);
  std::vector<std::string> actions;
  for (const auto& r : server.requests()) {
    const json body = json::parse(r.body);
    CHECK(body["dedup_key"] == "kiln/production/etl/run");
    actions.push_back(body["event_action"].get<std::string>());
  }
  CHECK(actions == std::vector<std::string>{"trigger", "trigger", "resolve"});
}

TEST_CASE("https certificates are verified against the configured CA", "[http]") {
  asio::io_context io;
  core::RealLoop loop(io);
  const auto identity = workspace::testing::make_self_signed("127.0.0.1");
  const workspace::testing::TempFile ca(identity.cert_pem);
  TestServer server(io, like_the_services, &identity);
  auto c = config(server.url());
  c.routes[0].sinks = {"slack"};
  c.delivery.max_attempts = 2;

  auto trusting = make_http_poster(io, {5'000, ca.path(), "kiln/0.1"});
  Notifier trusted(loop, c, *trusting);
  trusted.on_event(failed_deploy());
  REQUIRE(run_until(io, [&] { return delivered(trusted, "slack") == 1; }));

  auto system_store = make_http_poster(io, {});
  Notifier untrusted(loop, c, *system_store);
  untrusted.on_event(failed_deploy());
  REQUIRE(run_until(io, [&] { return untrusted.sink_counters().at("slack").exhausted == 1; }));
  CHECK(untrusted.sink_counters().at("slack").last_error.find("certificate verify failed") !=
        std::string::npos);
  CHECK(server.requests().size() == 1);
}

TEST_CASE("the poster reads the status body and Retry-After of an answer", "[http]") {
  asio::io_context io;
  TestServer server(io, [](const SeenRequest&) {
    Canned c = answer(429, "rate_limited");
    c.headers = {{"Retry-After", "7"}};
    return c;
  });
  auto poster = make_http_poster(io, {});
  std::optional<PostAnswer> got;
  poster->post(server.url() + "/services/x", "{}", [&](PostAnswer a) { got = std::move(a); });
  REQUIRE(run_until(io, [&] { return got.has_value(); }));
  CHECK(got->status == 429);
  CHECK(got->body == "rate_limited");
  CHECK(got->retry_after_ms == 7'000);
  std::optional<PostAnswer> bad;
  poster->post("not a url", "{}", [&](PostAnswer a) { bad = std::move(a); });
  REQUIRE(bad);
  CHECK(bad->status == 0);
  CHECK(bad->error == "expected an http:// or https:// URL");
}

}  // namespace
}  // namespace kiln::notify
