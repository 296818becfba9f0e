#include "fake-databricks/serve/http_handler.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace fakedb::serve {
namespace {

constexpr std::string_view kAdminPrefix = "/__fake/";

Response json_response(http::status status, const nlohmann::json& body, const Request& req) {
  Response res{status, req.version()};
  res.set(http::field::server, "fake-databricks");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = body.dump();
  res.prepare_payload();
  return res;
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
  const auto header = req[http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty() || header.substr(0, kBearer.size()) != kBearer) {
    return json_response(
        http::status::unauthorized,
        {{"error_code", 401},
         {"message", "Credential was not sent or was of an unsupported type for this API."}},
        req);
  }
  if (header.substr(kBearer.size()) != state.token) {
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
    if (!ms.is_number_integer() || ms.get<std::int64_t>() < 0) {
      return fail("advance: expected {\"ms\": <milliseconds of virtual time, >= 0>}");
    }
    state.time.advance(ms.get<std::int64_t>());
    return json_response(http::status::ok, {{"virtual_time_ms", state.time.now_ms()}}, req);
  }
  if (route == "faults" && api.method == "POST") {
    auto rule = faults::ApiFaultRule::parse(api.body, "fault");
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
  return json_response(http::status::not_found,
                       {{"error_code", "ENDPOINT_NOT_FOUND"}, {"message", "Bad Target: " + path}},
                       req);
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
  res.body() = nlohmann::json{{"error_code", code}, {"message", message}}.dump();
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
                       {"message", "Invalid request target: " + std::string(req.target())}},
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
    api.body = nlohmann::json::parse(req.body(), nullptr, /*allow_exceptions=*/false);
    if (api.body.is_discarded()) {
      return Reply{json_response(
          http::status::bad_request,
          {{"error_code", "MALFORMED_REQUEST"},
           {"message",
            "Invalid JSON given in the body of the request - failed to parse given JSON"}},
          req)};
    }
  }
  if (api.path.rfind(kAdminPrefix, 0) == 0) return Reply{admin(state, req, api.path, api)};
  return from_api(state.workspace.handle(api), req, state.time);
}

}  // namespace fakedb::serve
