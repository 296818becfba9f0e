// The checks every request passes: UTF-8, escaping for messages, the JSON depth bound.
#include "fake-databricks/api/request_checks.h"

#include <catch2/catch.hpp>

using namespace fakedb;

TEST_CASE("well-formed UTF-8 passes and overlongs, surrogates and stray bytes do not") {
  CHECK_FALSE(invalid_utf8_at("plain ascii"));
  CHECK_FALSE(invalid_utf8_at("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));
  CHECK(invalid_utf8_at("\xff") == 0u);
  CHECK(invalid_utf8_at("ab\xc0\xaf") == 2u);        // overlong '/'
  CHECK(invalid_utf8_at("\xed\xa0\x80") == 0u);      // a surrogate
  CHECK(invalid_utf8_at("\xf4\x90\x80\x80") == 0u);  // above U+10FFFF
  CHECK(invalid_utf8_at("\xe2\x82") == 0u);          // cut short
  CHECK(invalid_utf8_at("\xe0\x80\x80") == 0u);      // overlong 3-byte form
}

TEST_CASE("escape_utf8 writes the bytes of bad sequences as \\xHH and leaves the rest") {
  CHECK(escape_utf8("/jobs/\xff") == "/jobs/\\xFF");
  CHECK(escape_utf8("\xc0\xaf-\xc3\xa9") == "\\xC0\\xAF-\xc3\xa9");
  CHECK(escape_utf8("\\x41") == "\\x41");
}

TEST_CASE("a body nested up to 100 levels parses and a deeper one is refused without parsing") {
  const auto nest = [](std::size_t n) { return std::string(n, '[') + std::string(n, ']'); };
  CHECK(parse_json_body(nest(100)).ok());
  auto r = parse_json_body(nest(101));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().http_status == 400);
  CHECK(r.error().error_code == "MALFORMED_REQUEST");
  CHECK(
      r.error().message ==
      "Invalid JSON given in the body of the request - nested deeper than 100 levels at byte 101");
  // Brackets inside strings (escaped quotes included) are text, not nesting.
  CHECK(parse_json_body("{\"a\": \"\\\"" + nest(500) + "\"}").ok());
  CHECK_FALSE(parse_json_body(nest(1'000'000)).ok());
  CHECK_FALSE(parse_json_body("{\"a\": ").ok());
}

TEST_CASE("check_request names where the bad text is") {
  auto e = check_request(ApiRequest::get("/api/2.2/jobs/%FF\xff"));
  REQUIRE(e);
  CHECK(e->http_status == 404);
  CHECK(e->message == "Bad Target: /api/2.2/jobs/%FF\\xFF");
  e = check_request(ApiRequest::get("/api/2.2/jobs/list", {{"k\xff", "v"}}));
  REQUIRE(e);
  CHECK(e->message ==
        "Malformed request: a query parameter's name is not valid UTF-8 (byte \\xFF at offset 1)");
  e = check_request(ApiRequest::post("/api/2.2/jobs/create", {{"na\xffme", 1}}));
  REQUIRE(e);
  CHECK(e->message ==
        "Malformed request: a field name in the request body is not valid UTF-8 (byte \\xFF at "
        "offset 2)");
  CHECK_FALSE(check_request(ApiRequest::post("/api/2.2/jobs/create", {{"name", "\xc3\xa9"}})));
}
