// What goes on the wire: Slack's message, PagerDuty's event, the file's line; how an answer
// counts; and webhook URLs.
#include "platform/notify/payloads.h"

#include <catch2/catch.hpp>

#include "platform/notify/sink.h"
#include "platform/notify/url.h"

namespace kiln::notify {
namespace {

using nlohmann::json;

Notification failed_run() {
  Notification n;
  n.kind = Kind::kRunFailed;
  n.severity = Severity::kError;
  n.owner = "data-team";
  n.job = "etl";
  n.target = "production";
  n.title = "Run of etl on production failed (FAILED)";
  n.text = "Task <ingest> failed & retried\nRun 881, 3 attempt(s).";
  n.dedup_key = "kiln/production/etl/run";
  n.id = "kiln/production/etl/run/881/failed";
  n.time_ms = 1'714'564'800'250;
  n.fields = {{"job", "etl"}, {"target", "production"}, {"run_id", 881}};
  return n;
}

TEST_CASE("a Slack message has fallback text and a mrkdwn section with a context line") {
  const json expected = {
      {"text", ":x: Run of etl on production failed (FAILED)"},
      {"blocks",
       json::array(
           {{{"type", "section"},
             {"text",
              {{"type", "mrkdwn"},
               {"text",
                ":x: *Run of etl on production failed (FAILED)*\nTask &lt;ingest&gt; failed &amp; "
                "retried\nRun 881, 3 attempt(s)."}}}},
            {{"type", "context"},
             {"elements",
              json::array({{{"type", "mrkdwn"},
                            {"text",
                             "run_failed · error · job `etl` · target `production` · owner "
                             "data-team"}}})}}})}};
  CHECK(slack_payload(failed_run()) == expected);
}

TEST_CASE("a resolving Slack message is marked done and workspace notifications name no job") {
  Notification n = failed_run();
  n.kind = Kind::kRunRecovered;
  n.severity = Severity::kInfo;
  CHECK(slack_payload(n)["text"] == ":white_check_mark: Run of etl on production failed (FAILED)");
  n.kind = Kind::kQuotaPressure;
  n.severity = Severity::kWarning;
  n.job.clear();
  n.target.clear();
  n.owner.clear();
  CHECK(slack_payload(n)["blocks"][1]["elements"][0]["text"] == "quota_pressure · warning");
}

TEST_CASE("a PagerDuty trigger carries the dedup key severity and details") {
  const json expected = {
      {"routing_key", "R0UTING"},
      {"event_action", "trigger"},
      {"dedup_key", "kiln/production/etl/run"},
      {"client", "kiln"},
      {"payload",
       {{"summary", "Run of etl on production failed (FAILED)"},
        {"source", "kiln-prod"},
        {"severity", "error"},
        {"timestamp", "2024-05-01T12:00:00.250Z"},
        {"component", "etl"},
        {"group", "production"},
        {"class", "run_failed"},
        {"custom_details",
         {{"job", "etl"},
          {"target", "production"},
          {"run_id", 881},
          {"details", "Task <ingest> failed & retried\nRun 881, 3 attempt(s)."}}}}}};
  CHECK(pagerduty_payload(failed_run(), "R0UTING", "kiln-prod") == expected);
}

TEST_CASE("a PagerDuty resolve names only the incident and summaries are cut to 1024 bytes") {
  Notification n = failed_run();
  n.kind = Kind::kRunRecovered;
  CHECK(pagerduty_payload(n, "R0UTING", "kiln") == json{{"routing_key", "R0UTING"},
                                                        {"event_action", "resolve"},
                                                        {"dedup_key", "kiln/production/etl/run"}});
  n = failed_run();
  n.title = std::string(2'000, 'x');
  const auto summary = pagerduty_payload(n, "k", "kiln")["payload"]["summary"].get<std::string>();
  CHECK(summary.size() == 1'024);
  CHECK(summary.ends_with("\xE2\x80\xA6"));
}

TEST_CASE("a file line is one JSON object and a newline") {
  Notification n = failed_run();
  n.text = "two\nlines and bad UTF-8 \xC3";
  const std::string line = file_line(n);
  REQUIRE(line.ends_with("}\n"));
  CHECK(line.find('\n') == line.size() - 1);
  const json back = json::parse(line);
  CHECK(back["id"] == n.id);
  CHECK(back["action"] == "trigger");
  CHECK(back["time"] == "2024-05-01T12:00:00.250Z");
  CHECK(back["text"] == "two\nlines and bad UTF-8 \xEF\xBF\xBD");
}

TEST_CASE("truncation never cuts a UTF-8 sequence") {
  CHECK(truncate_utf8("short", 10) == "short");
  // "é" is two bytes; cutting after 5 bytes would split the third "é".
  CHECK(truncate_utf8("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 7) == "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
  CHECK(truncate_utf8("abcdef", 2).empty());
}

TEST_CASE("2xx is delivered while no answer 408 429 and 5xx are retried and other 4xx rejected") {
  CHECK(attempt_of({202, "{}", std::nullopt, ""}).outcome == Attempt::Outcome::kDelivered);
  const auto refused = attempt_of({0, "", std::nullopt, "connecting to h:443: Connection refused"});
  CHECK(refused.outcome == Attempt::Outcome::kRetry);
  CHECK(refused.error == "connecting to h:443: Connection refused");
  for (int status : {408, 429, 500, 502, 503}) {
    CHECK(attempt_of({status, "", std::nullopt, ""}).outcome == Attempt::Outcome::kRetry);
  }
  const auto throttled = attempt_of({429, "", 30'000, ""});
  CHECK(throttled.retry_after_ms == 30'000);
  const auto gone = attempt_of({404, "channel_not_found", std::nullopt, ""});
  CHECK(gone.outcome == Attempt::Outcome::kRejected);
  CHECK(gone.error == "HTTP 404: channel_not_found");
  CHECK(attempt_of({400, "", std::nullopt, ""}).outcome == Attempt::Outcome::kRejected);
}

TEST_CASE("webhook URLs split into host port and target") {
  std::string error;
  auto url = parse_url("https://hooks.slack.com/services/T0/B0/xyz", &error);
  REQUIRE(url);
  CHECK(url->tls);
  CHECK(url->host == "hooks.slack.com");
  CHECK(url->port == "443");
  CHECK(url->target == "/services/T0/B0/xyz");
  CHECK(url->host_header == "hooks.slack.com");
  url = parse_url("http://127.0.0.1:8080?x=1", &error);
  REQUIRE(url);
  CHECK_FALSE(url->tls);
  CHECK(url->target == "/?x=1");
  CHECK(url->host_header == "127.0.0.1:8080");
  url = parse_url("HTTPS://[::1]:9443/v2/enqueue", &error);
  REQUIRE(url);
  CHECK(url->host == "::1");
  CHECK(url->host_header == "[::1]:9443");
  for (const char* bad : {"hooks.slack.com/x", "https://", "https://h:99999/", "https://u@h/",
                          "https://h/a b", "https://h/#frag", "ftp://h/"}) {
    CHECK_FALSE(parse_url(bad, &error));
    CHECK(error.find("/x") == std::string::npos);
  }
}

}  // namespace
}  // namespace kiln::notify
