// Fuzz target: raw bytes on a connection, as the server reads them (a Beast request_parser with
// the server's limits), each complete request through handle_http on a fresh workspace. Several
// requests may follow each other (keep-alive), so a job can be created and then used. Any
// exception, crash, or answer whose body is not JSON is a bug.
#include <boost/beast/core/flat_buffer.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/clock/simulated_loop.h"
#include "core/events/event.h"
#include "fake-databricks/serve/http_handler.h"

namespace {

using namespace fakedb::serve;

constexpr int kRequestsMax = 8;

void check_answer(const Reply& reply) {
  if (reply.drop) return;
  // Every answer carries a JSON body that can be parsed back.
  if (!nlohmann::json::accept(reply.response.body())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fakedb::WorkspaceConfig config;
  kiln::core::SimulatedLoop loop(config.start_time_ms);
  kiln::core::EventLog events;
  fakedb::FakeWorkspace workspace(loop, events, 1, config);
  // Virtual time barely moves with the wall clock, so a run replays the same way.
  VirtualTime time(loop, 1e-9);
  TraceBuffer trace(1'000);
  events.subscribe([&trace](const kiln::core::Event& e) { trace.add(e.to_json_line()); });
  ServeState state{workspace, time, trace, "t"};

  boost::beast::flat_buffer buffer;
  auto in = buffer.prepare(size);
  std::copy_n(data, size, static_cast<std::uint8_t*>(in.data()));
  buffer.commit(size);
  for (int n = 0; n < kRequestsMax && buffer.size() > 0; ++n) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(std::uint64_t{1024} * 1024);
    parser.eager(true);
    boost::beast::error_code ec;
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec || !parser.is_done()) {
      // What the server answers then (no request to hand over).
      check_answer(Reply{error_response(http::status::bad_request, "MALFORMED_REQUEST",
                                        "Malformed HTTP request: " + ec.message(), 11, false)});
      break;
    }
    const Reply reply = handle_http(state, parser.get());
    check_answer(reply);
    time.advance(3'600'000);  // let runs and schedules move between requests
  }
  return 0;
}
