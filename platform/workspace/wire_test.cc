#include "platform/workspace/wire.h"

#include <catch2/catch.hpp>

#include "platform/workspace/http_workspace.h"

namespace kiln::workspace {
namespace {

nlohmann::json parse(int status, std::string_view body, std::string_view reason = "",
                     std::string_view databricks_reason = "") {
  return parse_error_body(RawError{status, reason, body, databricks_reason});
}

TEST_CASE("url_encode keeps unreserved characters and escapes the rest", "[wire]") {
  CHECK(url_encode("abc-XYZ_0.9~") == "abc-XYZ_0.9~");
  CHECK(url_encode("a b&c=d/e?") == "a%20b%26c%3Dd%2Fe%3F");
  CHECK(url_encode("\xC3\xA9") == "%C3%A9");
  CHECK(encode_query({}).empty());
  CHECK(encode_query({{"name", "x y"}, {"limit", "20"}, {"name", "z"}}) ==
        "name=x%20y&limit=20&name=z");
}

TEST_CASE("Retry-After is read as integer seconds only", "[wire]") {
  CHECK(parse_retry_after("7") == 7);
  CHECK(parse_retry_after(" 0 ") == 0);
  CHECK_FALSE(parse_retry_after("-1"));
  CHECK_FALSE(parse_retry_after("1.5"));
  CHECK_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
  CHECK_FALSE(parse_retry_after(""));
}

TEST_CASE("A Databricks JSON error body keeps its code message and details", "[wire]") {
  const auto j = parse(400, R"({"error_code":"INVALID_PARAMETER_VALUE","message":"Job 1 does not )"
                            R"(exist.","details":[{"@type":"x"}]})");
  CHECK(j["error_code"] == "INVALID_PARAMETER_VALUE");
  CHECK(j["message"] == "Job 1 does not exist.");
  CHECK(j["details"].size() == 1);
}

TEST_CASE("A numeric error_code becomes a string", "[wire]") {
  const auto j = parse(403, R"({"error_code": 403, "message": "Invalid access token."})");
  CHECK(j["error_code"] == "403");
  CHECK(j["message"] == "Invalid access token.");
}

TEST_CASE("API 1.2 and SCIM error bodies are read as the SDKs read them", "[wire]") {
  const auto old = parse(400, R"({"error": "bad cluster"})", "Bad Request");
  CHECK(old["message"] == "bad cluster");
  CHECK(old["error_code"] == "BAD_REQUEST");
  const auto scim = parse(404, R"({"detail": "User not found", "status": "404",
                                   "scimType": "invalidValue"})");
  CHECK(scim["error_code"] == "SCIM_404");
  CHECK(scim["message"] == "invalidValue User not found");
}

TEST_CASE("Text HTML and empty error bodies get a code and a message", "[wire]") {
  const auto text = parse(503, "TEMPORARILY_UNAVAILABLE: The service is busy.");
  CHECK(text["error_code"] == "TEMPORARILY_UNAVAILABLE");
  CHECK(text["message"] == "The service is busy.");

  const auto html =
      parse(403, "<html><body><pre>Error 403 Invalid access token.</pre></body>", "Forbidden");
  CHECK(html["error_code"] == "FORBIDDEN");
  CHECK(html["message"] == "Error 403 Invalid access token");

  const auto title = parse(502, "<html><head><title>502 Bad Gateway</title></head></html>");
  CHECK(title["error_code"] == "UNKNOWN");
  CHECK(title["message"] == "502 Bad Gateway");

  const auto empty = parse(503, "");
  CHECK(empty["error_code"] == "TEMPORARILY_UNAVAILABLE");
  CHECK(empty["message"] == "HTTP 503");

  const auto phrase = parse(403, "", "", "Invalid access token.");
  CHECK(phrase["error_code"] == "PERMISSION_DENIED");
  CHECK(phrase["message"] == "Invalid access token.");

  const auto plain = parse(500, "something broke\nbadly", "Internal Server Error");
  CHECK(plain["error_code"] == "INTERNAL_SERVER_ERROR");
  CHECK(plain["message"] == "something broke\nbadly");
}

TEST_CASE("parse_endpoint reads scheme host and port", "[wire]") {
  std::string error;
  auto e = parse_endpoint("https://adb-1.azuredatabricks.net/", &error);
  REQUIRE(e);
  CHECK(e->tls);
  CHECK(e->host == "adb-1.azuredatabricks.net");
  CHECK(e->port == "443");
  e = parse_endpoint("http://127.0.0.1:8080", &error);
  REQUIRE(e);
  CHECK_FALSE(e->tls);
  CHECK(e->port == "8080");
  e = parse_endpoint("https://[::1]:8443", &error);
  REQUIRE(e);
  CHECK(e->host == "::1");
  CHECK(e->port == "8443");
  CHECK_FALSE(parse_endpoint("ftp://x", &error));
  CHECK(error == "bad host 'ftp://x': expected an http:// or https:// URL");
  CHECK_FALSE(parse_endpoint("https://x/api", &error));
  CHECK_FALSE(parse_endpoint("https://x:99999", &error));
  CHECK_FALSE(parse_endpoint("https://:443", &error));
}

}  // namespace
}  // namespace kiln::workspace
