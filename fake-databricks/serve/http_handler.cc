#include "fake-databricks/serve/http_handler.h"

#include <openssl/crypto.h>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <optional>
#include <string_view>

#include "fake-databricks/api/request_checks.h"

namespace fakedb::serve {
namespace {

constexpr std::string_view kAdminPrefix = "/__fake/";

// Messages quoting request input are escaped where they are built (escape_utf8); replacing bad
// bytes here is the last line of defence, so writing an answer can never throw.
std::string dump(const nlohmann::json& body) {
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response json_response(http::status status, const nlohmann::json& body, const Request& req) {
  Response res{status, req.version()};
  res.set(http::field::server, "fake-databricks");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = dump(body);
  res.prepare_payload();
  return res;
}

Response error_json(const ApiError& error, const Request& req) {
  return json_response(static_cast<http::status>(error.http_status), error.body(), req);
}

// Compares in time that depends on the lengths only, so a client cannot find the token byte by
// byte from how long a refusal takes.
bool same_token(std::string_view sent, std::string_view token) {
  return sent.size() == token.size() && CRYPTO_memcmp(sent.data(), token.data(), sent.size()) == 0;
}

// The credential after "Bearer " (the scheme in any case, as the SDKs' servers accept it, then
// one or more spaces), or nullopt for another scheme or none.
std::optional<std::string_view> bearer_credential(std::string_view header) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() || header[kScheme.size()] != ' ') return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  const auto start = header.find_first_not_of(' ', kScheme.size());
  if (start == std::string_view::npos) return std::nullopt;
  return header.substr(start);
}

Reply from_api(const ApiResponse& api, const Request& req, const VirtualTime& time) {
  Reply reply;
  if (api.status == 0) {  // a dropped-connection fault: no answer at all
    reply.drop = true;
    return reply;
  }
  reply.response = json_response(static_cast<http::status>(api.status), api.body, req);
  if (api.retry_after_s)
    reply.response.set(http::field::retry_after, std::to_string(*api.retry_after_s));
  reply.delay = time.to_wall(api.delay_ms);
  return reply;
}

// Authorization: Bearer <token>. The real service answers a missing credential with 401 and a
// wrong one with 403 "Invalid access token." (numeric error_code, reason-phrase header).
std::optional<Response> check_token(const ServeState& state, const Request& req) {
  const auto credential = bearer_credential(req[http::field::authorization]);
  if (!credential) {
    return json_response(
        http::status::unauthorized,
        {{"error_code", 401},
         {"message", "Credential was not sent or was of an unsupported type for this API."}},
        req);
  }
  if (!same_token(*credential, state.token)) {
    auto res = json_response(http::status::forbidden,
                             {{"error_code", 403}, {"message", "Invalid access token."}}, req);
    res.set("X-Databricks-Reason-Phrase", "Invalid access token.");
    return res;
  }
  return std::nullopt;
}

Response admin(ServeState& state, const Request& req, const std::string& path,
               const ApiRequest& api) {
  auto fail = [&](const std::string& message) {
    return json_response(http::status::bad_request,
                         {{"error_code", "INVALID_PARAMETER_VALUE"}, {"message", message}}, req);
  };
  const std::string route = path.substr(kAdminPrefix.size());
  if (route == "time" && api.method == "GET") {
    return json_response(
        http::status::ok,
        {{"virtual_time_ms", state.time.now_ms()}, {"time_scale", state.time.scale()}}, req);
  }
  if (route == "advance" && api.method == "POST") {
    const auto ms =
        api.body.is_object() ? api.body.value("ms", nlohmann::json()) : nlohmann::json();
    // Bounded so virtual time cannot overflow and one call cannot run for ages.
    constexpr std::int64_t kAdvanceMaxMs = 366LL * 24 * 3'600'000;
    if (!ms.is_number_integer() || ms.get<std::int64_t>() < 0 ||
        ms.get<std::int64_t>() > kAdvanceMaxMs) {
      return fail(
          "advance: expected {\"ms\": <milliseconds of virtual time, 0 to 31622400000 (366 "
          "days)>}");
    }
    state.time.advance(ms.get<std::int64_t>());
    return json_response(http::status::ok, {{"virtual_time_ms", state.time.now_ms()}}, req);
  }
  if (route == "faults" && api.method == "POST") {
    // A rule without a pattern would match every call: an empty {} must not silently turn the
    // whole workspace into 503s.
    if (!api.body.is_object() || !api.body.contains("pattern")) {
      return fail(
          "faults: a rule needs a \"pattern\", a glob over \"METHOD PATH\" such as \"POST "
          "/api/2.2/jobs/run-now\" (\"*\" for every call), and what to do: \"status\" (503 if "
          "not given), \"drop\" or \"delay_ms\"");
    }
    auto rule = databricks::faults::ApiFaultRule::parse(api.body, "fault");
    if (!rule) return fail(rule.error().message);
    state.workspace.add_api_fault(*rule);
    return json_response(http::status::ok, nlohmann::json::object(), req);
  }
  if (route == "faults/clear" && api.method == "POST") {
    state.workspace.clear_api_faults();
    return json_response(http::status::ok, nlohmann::json::object(), req);
  }
  if (route == "trace" && api.method == "GET") {
    std::uint64_t since = 0;
    std::size_t limit = 10'000;
    for (const auto& [key, value] : api.query) {
      try {
        if (key == "since") since = std::stoull(value);
        if (key == "limit") limit = std::min<std::size_t>(std::stoull(value), 100'000);
      } catch (const std::exception&) {
        return fail("trace: since and limit are whole numbers");
      }
    }
    return json_response(http::status::ok, state.trace.since(since, limit), req);
  }
  return error_json(ApiError::bad_target(escape_utf8(path)), req);
}

}  // namespace

void TraceBuffer::add(std::string line) {
  lines_.push_back(std::move(line));
  if (lines_.size() > max_lines_) {
    lines_.pop_front();
    ++first_;
  }
}

nlohmann::json TraceBuffer::since(std::uint64_t since, std::size_t limit) const {
  nlohmann::json lines = nlohmann::json::array();
  std::uint64_t n = std::max(since, first_);
  for (; n < first_ + lines_.size() && lines.size() < limit; ++n) {
    lines.push_back(nlohmann::json::parse(lines_[n - first_]));
  }
  return {{"events", std::move(lines)}, {"next", n}, {"dropped_before", first_}};
}

Response error_response(http::status status, const std::string& code, const std::string& message,
                        unsigned version, bool keep_alive) {
  Response res{status, version};
  res.set(http::field::server, "fake-databricks");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  res.body() = dump(nlohmann::json{{"error_code", code}, {"message", message}});
  res.prepare_payload();
  return res;
}

Reply handle_http(ServeState& state, const Request& req) {
  state.time.catch_up();
  auto target = boost::urls::parse_origin_form(req.target());
  if (!target) {
    return Reply{
        json_response(http::status::bad_request,
                      {{"error_code", "MALFORMED_REQUEST"},
                       {"message", "Invalid request target: " + escape_utf8(req.target())}},
                      req)};
  }
  ApiRequest api;
  api.method = std::string(req.method_string());
  api.path = std::string(target->path());
  for (const auto& param : target->params()) api.query.emplace_back(param.key, param.value);

  // The SDKs probe this while resolving their config; it must answer at once, never 429/503.
  if (api.path == "/.well-known/databricks-config") {
    return Reply{json_response(http::status::not_found,
                               {{"error_code", "NOT_FOUND"}, {"message", "Not found."}}, req)};
  }
  if (auto refused = check_token(state, req)) return Reply{std::move(*refused)};

  if (!req.body().empty()) {
    auto body = parse_json_body(req.body());
    if (!body) return Reply{error_json(body.error(), req)};
    api.body = std::move(body).value();
  }
  if (api.path.rfind(kAdminPrefix, 0) == 0) {
    // The workspace checks its requests itself (and traces the refusal); these are ours.
    if (auto refused = check_request(api)) return Reply{error_json(*refused, req)};
    return Reply{admin(state, req, api.path, api)};
  }
  return from_api(state.workspace.handle(api), req, state.time);
}

}  // namespace fakedb::serve
