#include "core/events/trace.h"

#include <catch2/catch.hpp>
#include <sstream>

using kiln::core::Event;
using kiln::core::EventLog;
using kiln::core::TraceRecorder;

TEST_CASE("an event is one JSON line with t and type first and fields in sorted key order") {
  Event e{1500, "run.state", {{"state", "RUNNING"}, {"run_id", 7}, {"attempt", 0}}};
  CHECK(e.to_json_line() ==
        R"({"t":1500,"type":"run.state","attempt":0,"run_id":7,"state":"RUNNING"})");
}

TEST_CASE("the trace writes every published event and its fingerprint is the hash of its bytes") {
  EventLog log;
  std::ostringstream out;
  TraceRecorder trace(log, &out);
  log.publish({1, "a", {{"x", 1}}});
  log.publish({2, "b", {}});
  CHECK(out.str() == "{\"t\":1,\"type\":\"a\",\"x\":1}\n{\"t\":2,\"type\":\"b\"}\n");
  CHECK(trace.lines() == 2);
  kiln::core::Fingerprint f;
  f.add(out.str());
  CHECK(trace.fingerprint() == f.hex());
  CHECK(kiln::core::Fingerprint().hex() ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("different events give different fingerprints") {
  EventLog log1, log2;
  TraceRecorder t1(log1), t2(log2);
  log1.publish({1, "a", {{"x", 1}}});
  log2.publish({1, "a", {{"x", 2}}});
  CHECK(t1.fingerprint() != t2.fingerprint());
}

TEST_CASE("subscribers are called in subscription order and can unsubscribe") {
  EventLog log;
  std::string order;
  auto a = log.subscribe([&](const Event&) { order += 'a'; });
  log.subscribe([&](const Event&) { order += 'b'; });
  log.publish({0, "x", {}});
  log.unsubscribe(a);
  log.publish({0, "x", {}});
  CHECK(order == "abb");
  CHECK(log.published() == 2);
}

TEST_CASE("a subscriber that publishes is refused rather than reordering the stream") {
  EventLog log;
  log.subscribe([&](const Event&) { log.publish({0, "nested", {}}); });
  CHECK_THROWS_AS(log.publish({0, "x", {}}), std::logic_error);
}

TEST_CASE("a subscriber that throws does not stop the others nor poison the log") {
  EventLog log;
  std::string seen;
  bool fail = true;
  log.subscribe([&](const Event& e) {
    if (fail) throw std::runtime_error("cannot write " + e.type);
  });
  log.subscribe([&](const Event& e) { seen += e.type; });
  CHECK_THROWS_AS(log.publish({0, "a", {}}), std::runtime_error);
  fail = false;
  CHECK_NOTHROW(log.publish({0, "b", {}}));  // not "a subscriber published"
  CHECK(seen == "ab");
  CHECK(log.published() == 2);
}

TEST_CASE("an event whose strings are not UTF-8 still makes a JSON line") {
  const Event e{1, "api.call", {{"path", "/api/2.2/jobs/\xff"}}};
  std::string line;
  REQUIRE_NOTHROW(line = e.to_json_line());
  CHECK(line == "{\"t\":1,\"type\":\"api.call\",\"path\":\"/api/2.2/jobs/\xEF\xBF\xBD\"}");
  CHECK(nlohmann::json::parse(line)["path"] == "/api/2.2/jobs/\xEF\xBF\xBD");
}
