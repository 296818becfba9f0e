// The backends the Workspace contract runs against, behind one small test interface:
//   InProcess  the emulator in-process on virtual time (deterministic)
//   Rest       kiln's REST client (HttpWorkspace + RetryingWorkspace) talking to
//              `fake-databricks serve` on loopback, over HTTP or TLS
// Every backend puts the same retry policy in front, so fault cases mean the same everywhere.
#pragma once

#include <memory>
#include <optional>

#include "core/clock/real_loop.h"
#include "core/clock/simulated_loop.h"
#include "databricks/client/retrying_workspace.h"
#include "fake-databricks/serve/test_certificate.h"
#include "fake-databricks/serve/test_server.h"
#include "fake-databricks/workspace/fake_workspace.h"
#include "platform/workspace/http_workspace.h"

namespace kiln::contract {

using databricks::ApiRequest;
using databricks::ApiResponse;
using nlohmann::json;

// The workspace every backend emulates: batch tasks of one minute, `*stream*` paths never end,
// no server-side rate limits (the client's own limiter still runs).
inline fakedb::WorkspaceConfig contract_config() {
  return fakedb::WorkspaceConfig::from_json(
             {{"limits", {{"rate_limits", false}}},
              {"latency_ms", 0},
              {"workloads",
               {{"default", {{"kind", "batch"}, {"duration_ms", 60'000}}},
                {"rules",
                 {{{"match", {{"path", "*stream*"}}}, {"model", {{"kind", "streaming"}}}}}}}}})
      .value();
}

inline databricks::RetryPolicy contract_policy() {
  databricks::RetryPolicy p;
  p.backoff_step_ms = 50;  // keep wall-clock backends quick; Retry-After is still honoured
  p.jitter_min_ms = 0;
  p.jitter_max_ms = 20;
  p.rate_limit_per_s = 0;
  return p;
}

class Backend {
 public:
  virtual ~Backend() = default;
  virtual databricks::WorkspaceApi& api() = 0;  // the retrying client
  // One call, waited for.
  virtual ApiResponse call(ApiRequest request) = 0;
  // Moves the workspace's virtual time on.
  virtual void advance(core::DurationMs ms) = 0;
  // Adds an API fault rule (faults::ApiFaultRule JSON).
  virtual void add_fault(const json& rule) = 0;
};

class InProcess final : public Backend {
 public:
  InProcess()
      : config_(contract_config()),
        loop_(config_.start_time_ms),
        workspace_(loop_, events_, 11, config_),
        client_(workspace_, loop_, core::Random(5), contract_policy()) {}
  databricks::WorkspaceApi& api() override { return client_; }
  ApiResponse call(ApiRequest request) override {
    std::optional<ApiResponse> answer;
    client_.call(std::move(request), [&](ApiResponse r) { answer = std::move(r); });
    for (int i = 0; i < 1'000'000 && !answer; ++i) {
      if (!loop_.step()) break;
    }
    REQUIRE(answer.has_value());
    return *answer;
  }
  void advance(core::DurationMs ms) override { loop_.run_until(loop_.now_ms() + ms); }
  void add_fault(const json& rule) override {
    workspace_.add_api_fault(databricks::faults::ApiFaultRule::parse(rule, "rule").value());
  }

 private:
  fakedb::WorkspaceConfig config_;
  core::SimulatedLoop loop_;
  core::EventLog events_;
  fakedb::FakeWorkspace workspace_;
  databricks::RetryingWorkspace client_;
};

template <bool kTls>
class Rest final : public Backend {
 public:
  Rest()
      : server_(options(cert_)),
        clock_(io_),
        http_(io_, http_config()),
        client_(http_, clock_, core::Random(5), contract_policy()) {}
  databricks::WorkspaceApi& api() override { return client_; }
  ApiResponse call(ApiRequest request) override { return wait(client_, std::move(request)); }
  void advance(core::DurationMs ms) override {
    REQUIRE(wait(http_, ApiRequest::post("/__fake/advance", {{"ms", ms}})).ok());
  }
  void add_fault(const json& rule) override {
    REQUIRE(wait(http_, ApiRequest::post("/__fake/faults", rule)).ok());
  }

 private:
  static fakedb::serve::ServeOptions options(const fakedb::serve::testing::TestCertificate& cert) {
    fakedb::serve::ServeOptions o;
    o.config = contract_config();
    o.seed = 11;
    if (kTls) {
      o.tls_cert_file = cert.cert_file.string();
      o.tls_key_file = cert.key_file.string();
    }
    return o;
  }
  workspace::HttpConfig http_config() const {
    workspace::HttpConfig c;
    c.host = server_.server->url();
    c.token = server_.token;
    c.timeout_ms = 10'000;
    if (kTls) c.ca_file = cert_.cert_file.string();
    return c;
  }
  ApiResponse wait(databricks::WorkspaceApi& api, ApiRequest request) {
    std::optional<ApiResponse> answer;
    api.call(std::move(request), [&](ApiResponse r) { answer = std::move(r); });
    io_.restart();
    while (!answer && io_.run_one() > 0) {
    }
    REQUIRE(answer.has_value());
    return *answer;
  }

  fakedb::serve::testing::TestCertificate cert_;
  fakedb::serve::testing::Served server_;
  boost::asio::io_context io_;
  core::RealLoop clock_;
  workspace::HttpWorkspace http_;
  databricks::RetryingWorkspace client_;
};

using RestHttp = Rest<false>;
using RestTls = Rest<true>;

}  // namespace kiln::contract
