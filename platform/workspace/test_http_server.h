// A small HTTP(S) server for the HttpWorkspace tests: loopback only (127.0.0.1, a free port),
// on the test's io_context, answering each request with what the test's handler says.
// Also a self-signed certificate made at test time (OpenSSL API), and a bounded way to wait for
// one answer.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "databricks/api/workspace_api.h"

namespace kiln::workspace::testing {

struct SeenRequest {
  std::string method;
  std::string target;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  int connection = 0;                          // 1 for the first accepted connection, ...
};

struct Canned {
  enum class Action { answer, drop, hang, answer_then_close };
  Action action = Action::answer;
  int status = 200;
  std::string body = "{}";
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = true;
};

// A key and a self-signed certificate, as PEM, for `names` (subjectAltName syntax; by default
// 127.0.0.1 and localhost).
struct TlsIdentity {
  std::string cert_pem;
  std::string key_pem;
};
TlsIdentity make_self_signed(const std::string& common_name,
                             const std::string& names = "IP:127.0.0.1,DNS:localhost");

// A file removed when this goes out of scope.
class TempFile {
 public:
  explicit TempFile(const std::string& contents);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class TestServer {
 public:
  using Handler = std::function<Canned(const SeenRequest&)>;
  // Plain HTTP, or HTTPS when `tls` is given.
  TestServer(boost::asio::io_context& io, Handler handler, const TlsIdentity* tls = nullptr);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::string url() const;  // "http://127.0.0.1:<port>" or "https://..."
  int accepted() const;
  const std::vector<SeenRequest>& requests() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// Sends one request and runs `io` until its answer (at most 10 s of wall time).
databricks::ApiResponse call_and_wait(boost::asio::io_context& io, databricks::WorkspaceApi& api,
                                      databricks::ApiRequest request);

}  // namespace kiln::workspace::testing
