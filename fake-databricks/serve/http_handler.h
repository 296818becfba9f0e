// The HTTP face of one workspace, as a pure function of a request (Boost.Beast's example shape):
// authentication, the Databricks API, the well-known config probe and the test-only admin
// endpoints under /__fake/. It knows nothing of sockets; the server reads, calls, writes.
#pragma once

#include <boost/beast/http.hpp>
#include <chrono>
#include <deque>
#include <string>

#include "fake-databricks/serve/virtual_time.h"
#include "fake-databricks/workspace/fake_workspace.h"

namespace fakedb::serve {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// The trace of the served workspace, kept in memory up to a bound (oldest lines dropped).
class TraceBuffer {
 public:
  explicit TraceBuffer(std::size_t max_lines) : max_lines_(max_lines) {}
  void add(std::string line);
  // Lines numbered from `since` on (numbering counts dropped lines too).
  nlohmann::json since(std::uint64_t since, std::size_t limit) const;

 private:
  std::size_t max_lines_;
  std::uint64_t first_ = 0;  // the number of lines[0]
  std::deque<std::string> lines_;
};

struct ServeState {
  FakeWorkspace& workspace;
  VirtualTime& time;
  TraceBuffer& trace;
  std::string token;
};

struct Reply {
  Response response;
  bool drop = false;                   // close the connection without answering
  std::chrono::milliseconds delay{0};  // answer this much later (wall time)
};

Reply handle_http(ServeState& state, const Request& request);

// An error answer with the Databricks body (for the server's own refusals: body too large, ...).
Response error_response(http::status status, const std::string& code, const std::string& message,
                        unsigned version, bool keep_alive);

}  // namespace fakedb::serve
