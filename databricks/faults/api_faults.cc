#include "databricks/faults/api_faults.h"

#include "core/text/glob.h"

namespace databricks::faults {
namespace {

ApiError bad(const std::string& field, const std::string& what) {
  return ApiError::invalid_parameter(field + ": " + what);
}

}  // namespace

ApiResult<ApiFaultRule> ApiFaultRule::parse(const nlohmann::json& spec, const std::string& field) {
  if (!spec.is_object()) return bad(field, "expected an object");
  ApiFaultRule r;
  bool code_given = false, message_given = false;
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& v = it.value();
    const std::string f = field + "." + key;
    auto want_int = [&v, &f](auto& out) -> std::optional<ApiError> {
      if (!v.is_number_integer()) return bad(f, "expected an integer");
      out = v.get<std::remove_reference_t<decltype(out)>>();
      return std::nullopt;
    };
    std::optional<ApiError> err;
    if (key == "pattern" || key == "error_code" || key == "message") {
      if (!v.is_string()) return bad(f, "expected a string");
      (key == "pattern"      ? r.pattern
       : key == "error_code" ? r.error_code
                             : r.message) = v.get<std::string>();
      code_given = code_given || key == "error_code";
      message_given = message_given || key == "message";
    } else if (key == "status") {
      err = want_int(r.status);
    } else if (key == "retry_after_s") {
      int s = 0;
      err = want_int(s);
      r.retry_after_s = s;
    } else if (key == "offset") {
      err = want_int(r.offset);
    } else if (key == "times") {
      err = want_int(r.times);
    } else if (key == "delay_ms") {
      err = want_int(r.delay_ms);
    } else if (key == "from_ms") {
      err = want_int(r.from_ms);
    } else if (key == "until_ms") {
      err = want_int(r.until_ms);
    } else if (key == "after_handler" || key == "drop") {
      if (!v.is_boolean()) return bad(f, "expected true or false");
      (key == "drop" ? r.drop : r.after_handler) = v.get<bool>();
    } else if (key == "probability") {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) {
        return bad(f, "expected a number between 0 and 1");
      }
      r.probability = v.get<double>();
    } else {
      return bad(f,
                 "unknown field (expected pattern, status, error_code, message, retry_after_s, "
                 "offset, times, after_handler, drop, probability, delay_ms, from_ms, until_ms)");
    }
    if (err) return *err;
  }
  if (r.status != 0 && (r.status < 400 || r.status > 599)) {
    return bad(field + ".status", "expected 0 (delay only) or an HTTP error status 400-599");
  }
  // Sensible defaults per status, so a rule can say just {"status": 429}.
  if (r.status == 429) {
    if (!code_given) r.error_code = "REQUEST_LIMIT_EXCEEDED";
    if (!message_given) r.message = "Too many requests. Please retry later.";
    if (!r.retry_after_s) r.retry_after_s = 1;
  } else if (r.status == 500) {
    if (!code_given) r.error_code = "INTERNAL_ERROR";
    if (!message_given) r.message = "Internal error.";
  }
  return r;
}

FaultDecision ApiFaults::decide(const ApiRequest& request, kiln::core::TimeMs now_ms) {
  FaultDecision d;
  const std::string target = request.method + " " + request.path;
  for (auto& s : rules_) {
    const ApiFaultRule& r = s.rule;
    if (now_ms < r.from_ms || now_ms >= r.until_ms) continue;
    if (!kiln::core::glob_match(r.pattern, target)) continue;
    if (s.seen++ < r.offset) continue;
    if (r.times >= 0 && s.fired >= r.times) continue;
    // Only rules that pass their window and pattern draw, so unrelated traffic never shifts
    // the fault stream.
    if (r.probability < 1.0 && !random_.bernoulli(r.probability)) continue;
    ++s.fired;
    d.delay_ms += r.delay_ms;
    if (r.drop) {
      ApiResponse lost;
      lost.status = 0;
      lost.body = {{"error_code", "CONNECTION_ERROR"}, {"message", "The connection was dropped."}};
      d.answer = lost;
      d.run_handler = r.after_handler;
      return d;
    }
    if (r.status == 0) continue;  // slow only: later rules may still fail it
    ApiError e;
    e.http_status = r.status;
    e.error_code = r.error_code;
    e.message = r.message;
    e.retry_after_s = r.retry_after_s;
    d.answer = ApiResponse::from(e);
    d.run_handler = r.after_handler;
    return d;
  }
  return d;
}

}  // namespace databricks::faults
