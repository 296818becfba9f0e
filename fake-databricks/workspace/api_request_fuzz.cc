// Fuzz target: the emulator's reading of requests (the ApiRequest path): query strings and JSON
// bodies into FakeWorkspace::handle, for jobs/create, jobs/reset, runs/submit and the rest.
// The input is requests separated by a line "###", each "METHOD PATH[?QUERY]\nBODY"; the query
// is split on & and = but not decoded, so any byte reaches the workspace; the body is parsed
// as the server parses it. Any exception or crash is a bug, and so is an answer whose JSON
// cannot be written as it is (raw request bytes echoed into a message).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/clock/simulated_loop.h"
#include "core/events/event.h"
#include "fake-databricks/api/request_checks.h"
#include "fake-databricks/workspace/fake_workspace.h"

namespace {

constexpr int kRequestsMax = 8;
constexpr std::string_view kSeparator = "\n###\n";

std::vector<std::pair<std::string, std::string>> split_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    out.emplace_back(std::string(pair.substr(0, eq)),
                     eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

void one_request(fakedb::FakeWorkspace& workspace, std::string_view text) {
  const auto line_end = text.find('\n');
  const std::string_view line = text.substr(0, line_end);
  const std::string_view body =
      line_end == std::string_view::npos ? std::string_view() : text.substr(line_end + 1);
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return;
  databricks::ApiRequest request;
  request.method = std::string(line.substr(0, space));
  std::string_view target = line.substr(space + 1);
  const auto question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = split_query(target.substr(question + 1));
  if (!body.empty()) {
    auto parsed = fakedb::parse_json_body(body);
    if (!parsed) return;
    request.body = std::move(parsed).value();
  }
  const databricks::ApiResponse response = workspace.handle(request);
  (void)response.body.dump();  // throws (a bug) if raw request bytes reached the answer
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fakedb::WorkspaceConfig config;
  kiln::core::SimulatedLoop loop(config.start_time_ms);
  kiln::core::EventLog events;
  fakedb::FakeWorkspace workspace(loop, events, 1, config);
  // Every event must make a trace line, as the server's trace does.
  events.subscribe([](const kiln::core::Event& e) { (void)e.to_json_line(); });
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (int n = 0; n < kRequestsMax && !input.empty(); ++n) {
    const auto sep = input.find(kSeparator);
    one_request(workspace, input.substr(0, sep));
    loop.run_until(loop.now_ms() + 3'600'000);  // runs start, end, retry; schedules fire
    if (sep == std::string_view::npos) break;
    input.remove_prefix(sep + kSeparator.size());
  }
  return 0;
}
