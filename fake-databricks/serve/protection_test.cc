// fake-databricks serve against hostile clients: bytes that are not UTF-8, JSON nested too deep,
// connections that say nothing, running out of descriptors, odd Authorization headers, empty
// fault rules. Each case ends by showing a normal client is still served.
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <vector>

#include "fake-databricks/serve/test_server.h"

using namespace fakedb::serve;
using namespace fakedb::serve::testing;
using nlohmann::json;

namespace {

// Sends raw bytes as the whole request and reads the answer.
Reply send_raw(Client& c, const std::string& bytes) {
  boost::asio::write(c.stream.socket(), boost::asio::buffer(bytes));
  return c.read();
}

Reply get_with_auth(Client& c, const std::string& authorization) {
  http::request<http::string_body> req{http::verb::get, "/api/2.2/jobs/list", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, authorization);
  http::write(c.stream, req);
  return c.read();
}

// Whether the server closes this socket, which never sent a byte, within `limit_ms` (a guard so
// a missing timeout fails the test instead of hanging it; nothing asserts how fast).
bool closed_by_server_within(tcp::socket& socket, int limit_ms) {
  pollfd p{socket.native_handle(), POLLIN, 0};
  if (::poll(&p, 1, limit_ms) != 1) return false;
  char byte = 0;
  return ::read(socket.native_handle(), &byte, 1) <= 0;
}

std::string nested(std::size_t depth) {
  return "{\"name\": \"deep\", \"tags\": " + std::string(depth, '[') + std::string(depth, ']') +
         "}";
}

}  // namespace

TEST_CASE("a target that is not UTF-8 gets an escaped 400 and gives its connection slot back") {
  ServeOptions o;
  o.max_connections = 2;
  Served s(o);
  for (int i = 0; i < 5; ++i) {  // more than the cap: a leaked slot would show as a 503
    Client c(s.port);
    const auto r = send_raw(c, "GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(r.result_int() == 400);
    const auto body = json::parse(r.body());
    CHECK(body["error_code"] == "MALFORMED_REQUEST");
    CHECK(body["message"] == "Invalid request target: /\\xFF");
  }
  Client c(s.port);
  CHECK(c.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
}

TEST_CASE("a path that is not UTF-8 is Bad Target and later calls are still answered") {
  Served s;
  Client c(s.port);
  for (const std::string path : {"%FF", "%C0%AF", "%ED%A0%80"}) {
    const auto r = c.send(http::verb::get, "/api/2.2/jobs/" + path);
    CHECK(r.result_int() == 404);
    CHECK(json::parse(r.body())["error_code"] == "ENDPOINT_NOT_FOUND");
    CHECK(c.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
  }
  const auto r = c.send(http::verb::get, "/api/2.2/jobs/%FF");
  CHECK(json::parse(r.body())["message"] == "Bad Target: /api/2.2/jobs/\\xFF");
  // The refused calls are in the trace, their bytes replaced, and the trace still reads.
  const auto trace = c.get("/__fake/trace?since=0");
  CHECK(trace["events"].back()["path"] == "/api/2.2/jobs/\uFFFD");
  CHECK(trace["events"].back()["status"] == 404);
}

TEST_CASE("a query value or JSON string that is not UTF-8 is MALFORMED_REQUEST") {
  Served s;
  Client c(s.port);
  auto r = c.send(http::verb::get, "/api/2.2/jobs/list?name=%FF");
  CHECK(r.result_int() == 400);
  auto body = json::parse(r.body());
  CHECK(body["error_code"] == "MALFORMED_REQUEST");
  CHECK(body["message"] ==
        "Malformed request: the query parameter name is not valid UTF-8 (byte \\xFF at offset 0)");
  r = c.send(http::verb::post, "/api/2.2/jobs/create", "{\"name\": \"\xff\"}");
  CHECK(r.result_int() == 400);
  CHECK(json::parse(r.body())["error_code"] == "MALFORMED_REQUEST");
  r = c.send(http::verb::get, "/__fake/nothing%FF");
  CHECK(r.result_int() == 404);
  CHECK(json::parse(r.body())["message"] == "Bad Target: /__fake/nothing\\xFF");
  CHECK(c.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
}

TEST_CASE("a body nested deeper than 100 levels is refused before anything recurses over it") {
  Served s;
  Client c(s.port);
  auto r = c.send(http::verb::post, "/api/2.2/jobs/create", nested(100'000));
  CHECK(r.result_int() == 400);
  const auto body = json::parse(r.body());
  CHECK(body["error_code"] == "MALFORMED_REQUEST");
  CHECK(body["message"] ==
        "Invalid JSON given in the body of the request - nested deeper than 100 levels at byte "
        "125");
  // 100 levels parse (and the endpoint judges the field).
  r = c.send(http::verb::post, "/api/2.2/jobs/create", nested(99));
  CHECK(json::parse(r.body())["message"] != body["message"]);
  CHECK(c.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
}

TEST_CASE("the Bearer scheme is read in any case and a near-miss token is refused") {
  Served s;
  Client c(s.port);
  CHECK(get_with_auth(c, "bearer secret").result_int() == 200);
  CHECK(get_with_auth(c, "BEARER secret").result_int() == 200);
  CHECK(get_with_auth(c, "Bearer  secret").result_int() == 200);
  CHECK(get_with_auth(c, "Bearer secreT").result_int() == 403);
  CHECK(get_with_auth(c, "Bearer secre").result_int() == 403);
  CHECK(get_with_auth(c, "Bearer secrets").result_int() == 403);
  CHECK(get_with_auth(c, "Bearersecret").result_int() == 401);
  CHECK(get_with_auth(c, "Basic secret").result_int() == 401);
}

TEST_CASE("an empty fault rule is refused and does not turn every call into a 503") {
  Served s;
  Client c(s.port);
  const auto r = c.send(http::verb::post, "/__fake/faults", "{}");
  CHECK(r.result_int() == 400);
  CHECK(json::parse(r.body())["message"].get<std::string>().find("a rule needs a \"pattern\"") !=
        std::string::npos);
  CHECK(c.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
}

TEST_CASE("connections that send nothing are closed soon, so a normal client is served") {
  ServeOptions o;
  o.max_connections = 4;
  o.first_byte_timeout_ms = 50;
  o.read_timeout_ms = 600'000;  // only the first-byte timeout can free the slots
  Served s(o);
  boost::asio::io_context io;
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 4; ++i) {
    idle.emplace_back(io).connect(
        tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), s.port));
  }
  for (auto& socket : idle) CHECK(closed_by_server_within(socket, 60'000));
  Client c(s.port);  // the idle sockets are still open on this side
  CHECK(c.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
}

TEST_CASE("connections from one address are capped") {
  ServeOptions o;
  o.max_connections_per_ip = 2;
  Served s(o);
  Client a(s.port), b(s.port);
  REQUIRE(a.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
  REQUIRE(b.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
  Client third(s.port);
  const auto r = third.read();
  CHECK(r.result_int() == 503);
  CHECK(json::parse(r.body())["message"] == "Too many connections from this address; retry later.");
  CHECK(a.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
}

TEST_CASE("out of descriptors, the server pauses accepting instead of spinning") {
  ServeOptions o;
  o.accept_backoff_ms = 600'000;  // no second attempt during the test
  Served s(o);
  Client open(s.port);
  REQUIRE(open.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
  boost::asio::io_context io;
  tcp::socket late(io);
  late.open(tcp::v4());  // its descriptor exists before they run out

  rlimit old{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
  rlimit low = old;
  low.rlim_cur = std::min<rlim_t>(old.rlim_cur, 1024);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  std::vector<int> held;
  // /dev/null, not dup(0): standard input may be closed where CI runs.
  for (int fd = ::open("/dev/null", O_RDONLY); fd >= 0; fd = ::open("/dev/null", O_RDONLY)) {
    held.push_back(fd);
  }
  struct Restore {  // give the descriptors back whatever happens below
    std::vector<int>& held;
    rlimit old;
    ~Restore() {
      for (int fd : held) ::close(fd);
      ::setrlimit(RLIMIT_NOFILE, &old);
    }
  } restore{held, old};

  REQUIRE_FALSE(held.empty());
  late.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), s.port));
  // Bounded by attempts, not by time: the server thread fails its accept almost at once.
  for (long spins = 0; s.server->accept_failures() == 0 && spins < 100'000'000; ++spins) {
    std::this_thread::yield();
  }
  REQUIRE(s.server->accept_failures() >= 1);
  // The open connection is still served, and in the meantime accept was not retried.
  CHECK(open.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
  CHECK(open.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
  CHECK(s.server->accept_failures() == 1);
}

TEST_CASE("advancing virtual time is bounded so it cannot overflow") {
  Served s;
  Client c(s.port);
  const auto r = c.send(http::verb::post, "/__fake/advance", "{\"ms\": 9223372036854775807}");
  CHECK(r.result_int() == 400);
  CHECK(c.send(http::verb::post, "/__fake/advance", "{\"ms\": 31622400000}").result_int() == 200);
  CHECK(c.send(http::verb::get, "/api/2.2/jobs/list").result_int() == 200);
}
