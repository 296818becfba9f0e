// The Notifier on virtual time with a scripted poster: exact retry schedules, dedup across
// replays and restarts, order within an incident, bounds, and nothing ever reaching the
// publisher.
#include "platform/notify/notifier.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "core/clock/simulated_loop.h"

namespace kiln::notify {
namespace {

using nlohmann::json;

constexpr const char* kSlackUrl = "http://slack.test/services/T0/B0/x";
constexpr const char* kPagerDutyUrl = "http://pagerduty.test/v2/enqueue";

// Answers each post after `latency_ms` of virtual time with what `answer` says for the n-th
// post (1-based) to that URL.
class ScriptedPoster final : public HttpPoster {
 public:
  struct Post {
    core::TimeMs at_ms;
    std::string url;
    json body;
  };
  using Script = std::function<PostAnswer(const Post&, int nth)>;

  explicit ScriptedPoster(core::SimulatedLoop& loop) : loop_(loop) {}

  void post(const std::string& url, std::string body,
            std::function<void(PostAnswer)> done) override {
    posts.push_back(Post{loop_.now_ms(), url, json::parse(body)});
    int nth = 0;
    for (const auto& p : posts) nth += p.url == url ? 1 : 0;
    if (throw_on_post) throw std::runtime_error("poster exploded");
    const PostAnswer a = script ? script(posts.back(), nth) : PostAnswer{202, "{}", {}, ""};
    loop_.schedule_after(latency_ms, [done = std::move(done), a] { done(a); });
  }

  std::vector<core::TimeMs> times(const std::string& url) const {
    std::vector<core::TimeMs> out;
    for (const auto& p : posts) {
      if (p.url == url) out.push_back(p.at_ms);
    }
    return out;
  }

  std::vector<Post> posts;
  Script script;
  core::DurationMs latency_ms = 10;
  bool throw_on_post = false;

 private:
  core::SimulatedLoop& loop_;
};

PostAnswer status(int code) {
  return PostAnswer{code, code >= 500 ? "rollup_error" : "{}", std::nullopt, ""};
}

// Fails the first `failures` posts to each URL with `code`, then accepts.
ScriptedPoster::Script fail_first(int failures, int code = 500) {
  return [failures, code](const ScriptedPoster::Post&, int nth) {
    return nth <= failures ? status(code) : status(202);
  };
}

RoutingConfig config(std::vector<std::string> sinks = {"slack", "pd"}) {
  RoutingConfig c;
  SinkConfig slack;
  slack.name = "slack";
  slack.type = SinkType::kSlack;
  slack.url = kSlackUrl;
  c.sinks["slack"] = slack;
  SinkConfig pd;
  pd.name = "pd";
  pd.type = SinkType::kPagerDuty;
  pd.url = kPagerDutyUrl;
  pd.routing_key = "R0UTING";
  c.sinks["pd"] = pd;
  Route everything;
  everything.sinks = std::move(sinks);
  c.routes.push_back(everything);
  c.delivery.first_backoff_ms = 1'000;
  c.delivery.max_backoff_ms = 60'000;
  c.delivery.max_attempts = 5;
  return c;
}

core::Event deploy(core::TimeMs at, const std::string& status, int deployment = 12,
                   const std::string& job = "etl") {
  return {at,
          "kiln.deployment",
          {{"deployment", deployment},
           {"job", job},
           {"target", "production"},
           {"version", 4},
           {"build", "b-1"},
           {"strategy", "simple"},
           {"requested_by", "cd:production"},
           {"status", status}}};
}

core::Event run(core::TimeMs at, const std::string& type, int run_id,
                const std::string& job = "etl") {
  return {at, type, {{"job", job}, {"target", "production"}, {"run_id", run_id}}};
}

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("kiln-notifier-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

TEST_CASE("retry waits double from the first backoff up to the cap and honour Retry-After") {
  DeliveryOptions o;
  o.first_backoff_ms = 1'000;
  o.max_backoff_ms = 5'000;
  CHECK(retry_wait_ms(o, 1, std::nullopt) == 1'000);
  CHECK(retry_wait_ms(o, 2, std::nullopt) == 2'000);
  CHECK(retry_wait_ms(o, 3, std::nullopt) == 4'000);
  CHECK(retry_wait_ms(o, 4, std::nullopt) == 5'000);
  CHECK(retry_wait_ms(o, 90, std::nullopt) == 5'000);
  CHECK(retry_wait_ms(o, 1, 3'000) == 3'000);
  CHECK(retry_wait_ms(o, 3, 3'000) == 4'000);
  CHECK(retry_wait_ms(o, 1, 600'000) == 5'000);
}

TEST_CASE("publishing only queues and delivery happens on later turns of the loop") {
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  core::EventLog events;
  Notifier notifier(loop, config(), poster, &events);
  events.publish(deploy(0, "failed"));
  CHECK(poster.posts.empty());
  CHECK(notifier.pending() == 2);
  loop.run_until_idle(1'000);
  REQUIRE(poster.posts.size() == 2);
  CHECK(notifier.pending() == 0);
  CHECK(notifier.sink_counters().at("slack").delivered == 1);
  CHECK(notifier.sink_counters().at("pd").delivered == 1);
  CHECK(notifier.counters().events == 1);
  CHECK(notifier.counters().notifications == 1);
  // Each sink got its own format at its own URL, in the route's order.
  CHECK(poster.posts[0].url == kSlackUrl);
  CHECK(poster.posts[0].body["text"] == ":x: Deploy of etl v4 to production failed");
  CHECK(poster.posts[1].url == kPagerDutyUrl);
  CHECK(poster.posts[1].body["event_action"] == "trigger");
}

TEST_CASE("a sink failing three times is retried on an exact doubling schedule") {
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  poster.script = fail_first(3);
  Notifier notifier(loop, config({"slack"}), poster);
  notifier.on_event(deploy(0, "failed"));
  loop.run_until_idle(1'000);
  // Each answer takes 10 ms; then waits of 1 s, 2 s and 4 s.
  CHECK(poster.times(kSlackUrl) == std::vector<core::TimeMs>{0, 1'010, 3'020, 7'030});
  const auto& c = notifier.sink_counters().at("slack");
  CHECK(c.delivered == 1);
  CHECK(c.retried == 3);
  CHECK(c.dropped == 0);
  CHECK(c.last_error == "HTTP 500: rollup_error");
}

TEST_CASE("after max attempts a notification is dropped and counted") {
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  poster.script = [](const ScriptedPoster::Post&, int) { return status(503); };
  auto c = config({"slack"});
  c.delivery.max_attempts = 4;
  c.delivery.max_backoff_ms = 3'000;
  Notifier notifier(loop, c, poster);
  notifier.on_event(deploy(0, "failed"));
  loop.run_until_idle(1'000);
  CHECK(poster.times(kSlackUrl) == std::vector<core::TimeMs>{0, 1'010, 3'020, 6'030});
  const auto& counters = notifier.sink_counters().at("slack");
  CHECK(counters.delivered == 0);
  CHECK(counters.retried == 3);
  CHECK(counters.dropped == 1);
  CHECK(counters.exhausted == 1);
  CHECK(notifier.pending() == 0);
  CHECK(loop.pending() == 0);
}

TEST_CASE("a rejected notification is not retried") {
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  poster.script = [](const ScriptedPoster::Post&, int) {
    return PostAnswer{404, "channel_not_found", {}, ""};
  };
  Notifier notifier(loop, config({"slack"}), poster);
  notifier.on_event(deploy(0, "failed"));
  loop.run_until_idle(1'000);
  CHECK(poster.posts.size() == 1);
  const auto& c = notifier.sink_counters().at("slack");
  CHECK(c.rejected == 1);
  CHECK(c.dropped == 1);
  CHECK(c.last_error == "HTTP 404: channel_not_found");
}

TEST_CASE("a Retry-After longer than the backoff is waited for") {
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  poster.script = [](const ScriptedPoster::Post&, int nth) {
    return nth == 1 ? PostAnswer{429, "rate_limited", 30'000, ""} : status(202);
  };
  Notifier notifier(loop, config({"slack"}), poster);
  notifier.on_event(deploy(0, "failed"));
  loop.run_until_idle(1'000);
  CHECK(poster.times(kSlackUrl) == std::vector<core::TimeMs>{0, 30'010});
}

TEST_CASE("a replayed event is delivered once within the dedup window") {
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  auto c = config({"slack"});
  c.delivery.dedup_window_ms = 60'000;
  Notifier notifier(loop, c, poster);
  notifier.on_event(deploy(0, "failed"));
  notifier.on_event(deploy(0, "failed"));  // while the first is queued
  loop.run_until_idle(1'000);
  loop.run_until(30'000);
  notifier.on_event(deploy(30'000, "failed"));  // after it was delivered
  loop.run_until_idle(1'000);
  CHECK(poster.posts.size() == 1);
  CHECK(notifier.sink_counters().at("slack").deduplicated == 2);
  // Another status of the same deployment is another notification.
  notifier.on_event(deploy(30'000, "aborted"));
  loop.run_until_idle(1'000);
  CHECK(poster.posts.size() == 2);
  // Once the window has passed, the same event notifies again.
  loop.run_until(60'011);
  notifier.on_event(deploy(60'011, "failed"));
  loop.run_until_idle(1'000);
  CHECK(poster.posts.size() == 3);
}

TEST_CASE("a restarted notifier with a journal does not deliver a replayed event again") {
  TempDir dir;
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  auto c = config({"slack"});
  c.delivery.journal = dir.file("delivered.jsonl");
  {
    Notifier before_crash(loop, c, poster);
    before_crash.on_event(deploy(0, "failed"));
    before_crash.on_event(deploy(0, "running", 13));
    loop.run_until_idle(1'000);
  }
  Notifier restarted(loop, c, poster);
  restarted.on_event(deploy(0, "failed"));  // the step is replayed after the crash
  restarted.on_event(deploy(0, "running", 14));
  loop.run_until_idle(1'000);
  CHECK(poster.posts.size() == 3);
  CHECK(restarted.sink_counters().at("slack").deduplicated == 1);
  CHECK(restarted.journal_errors() == 0);
}

TEST_CASE("a resolve waits for the trigger it closes while other incidents go on") {
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  poster.script = [failures = std::make_shared<int>(0)](const ScriptedPoster::Post& p, int) {
    const bool etl_trigger =
        p.body["event_action"] == "trigger" && p.body["dedup_key"] == "kiln/production/etl/run";
    if (etl_trigger && *failures < 2) {
      ++*failures;
      return status(500);
    }
    return status(202);
  };
  Notifier notifier(loop, config({"pd"}), poster);
  notifier.on_event(run(0, "job.run_failed", 881));
  loop.run_until(5);  // the trigger is out, and fails
  notifier.on_event(run(5, "job.run_recovered", 890));
  notifier.on_event(run(5, "job.run_failed", 900, "billing"));
  loop.run_until_idle(1'000);
  std::vector<std::string> seen;
  for (const auto& p : poster.posts) {
    seen.push_back(p.body["dedup_key"].get<std::string>() + " " +
                   p.body["event_action"].get<std::string>() + " @" + std::to_string(p.at_ms));
  }
  CHECK(seen == std::vector<std::string>{"kiln/production/etl/run trigger @0",
                                         "kiln/production/billing/run trigger @5",
                                         "kiln/production/etl/run trigger @1010",
                                         "kiln/production/etl/run trigger @3020",
                                         "kiln/production/etl/run resolve @3030"});
}

TEST_CASE("the delivery queue is bounded and what overflows is counted") {
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  auto c = config({"slack"});
  c.delivery.queue_limit = 2;
  Notifier notifier(loop, c, poster);
  for (int d = 1; d <= 3; ++d) notifier.on_event(deploy(0, "failed", d, "job" + std::to_string(d)));
  CHECK(notifier.pending() == 2);
  loop.run_until_idle(1'000);
  const auto& counters = notifier.sink_counters().at("slack");
  CHECK(counters.delivered == 2);
  CHECK(counters.overflowed == 1);
  CHECK(counters.dropped == 1);
}

TEST_CASE("a file sink appends one line per notification and retries a path it cannot write") {
  TempDir dir;
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  auto c = config({"audit", "broken"});
  c.sinks["audit"] = SinkConfig{"audit", SinkType::kFile, "", "", "kiln", dir.file("n.jsonl")};
  c.sinks["broken"] = SinkConfig{"broken", SinkType::kFile, "", "", "kiln", dir.file("no/n.jsonl")};
  c.delivery.max_attempts = 3;
  Notifier notifier(loop, c, poster);
  notifier.on_event(deploy(0, "running"));
  notifier.on_event(deploy(0, "succeeded"));
  loop.run_until_idle(1'000);
  std::ifstream in(dir.file("n.jsonl"));
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["kind"] == "deploy_started");
  CHECK(lines[1]["kind"] == "deploy_succeeded");
  CHECK(lines[1]["action"] == "resolve");
  const auto& broken = notifier.sink_counters().at("broken");
  CHECK(broken.exhausted == 2);
  CHECK(broken.retried == 4);
  CHECK(broken.last_error.starts_with("cannot append to " + dir.file("no/n.jsonl")));
}

TEST_CASE("a poster that throws is a failed attempt and never reaches the publisher") {
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  poster.throw_on_post = true;
  core::EventLog events;
  auto c = config({"slack"});
  c.delivery.max_attempts = 2;
  Notifier notifier(loop, c, poster, &events);
  CHECK_NOTHROW(events.publish(deploy(0, "failed")));
  CHECK_NOTHROW(loop.run_until_idle(1'000));
  const auto& counters = notifier.sink_counters().at("slack");
  CHECK(counters.exhausted == 1);
  CHECK(counters.last_error == "poster exploded");
  CHECK(poster.times(kSlackUrl) == std::vector<core::TimeMs>{0, 1'000});
}

TEST_CASE("destroying the notifier cancels its retries and ignores late answers") {
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  poster.script = [](const ScriptedPoster::Post&, int) { return status(500); };
  {
    Notifier notifier(loop, config(), poster);
    notifier.on_event(deploy(0, "failed"));
    loop.run_until(15);  // both answered, both retries waiting
    CHECK(loop.pending() == 2);
    loop.run_until(1'012);  // both retried, answers in flight
  }
  CHECK(loop.run_until_idle(1'000) == 2);  // the late answers, ignored
  CHECK(poster.posts.size() == 4);
}

TEST_CASE("events nobody routes and events that notify nobody are counted") {
  core::SimulatedLoop loop;
  ScriptedPoster poster(loop);
  auto c = config({"slack"});
  c.routes[0].match.kinds = {Kind::kDeployFailed};
  Notifier notifier(loop, c, poster);
  notifier.on_event(deploy(0, "running"));
  notifier.on_event(deploy(0, "queued"));
  notifier.on_event(core::Event{0, "run.state", {{"run_id", 1}}});
  loop.run_until_idle(1'000);
  CHECK(poster.posts.empty());
  CHECK(notifier.counters().events == 3);
  CHECK(notifier.counters().notifications == 1);
  CHECK(notifier.counters().unrouted == 1);
}

TEST_CASE("the same events and answers give the same deliveries at the same times") {
  auto timeline = [] {
    core::SimulatedLoop loop;
    ScriptedPoster poster(loop);
    poster.script = fail_first(2, 502);
    Notifier notifier(loop, config(), poster);
    for (int i = 0; i < 5; ++i) {
      notifier.on_event(
          deploy(0, i % 2 == 0 ? "failed" : "succeeded", i, "job" + std::to_string(i % 3)));
    }
    loop.run_until_idle(10'000);
    std::vector<std::string> out;
    for (const auto& p : poster.posts)
      out.push_back(std::to_string(p.at_ms) + " " + p.url + " " + p.body.dump());
    return out;
  };
  const auto first = timeline();
  CHECK(first.size() == 14);
  CHECK(timeline() == first);
}

}  // namespace
}  // namespace kiln::notify
