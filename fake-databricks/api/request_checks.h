// Checks every request passes before a handler sees it, whatever way it came (HTTP or
// in-process): text is well-formed UTF-8 and JSON is nested no deeper than kMaxJsonDepth.
// Handlers recurse over JSON and error messages quote request text, so without these a hostile
// request could overflow the stack or make an answer's JSON impossible to write.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "fake-databricks/api/params.h"

namespace fakedb {

// Deeper JSON (a body, or the nested fields a query string's dotted keys make) is refused with
// 400 MALFORMED_REQUEST. Real job settings nest about ten levels; 100 leaves room and keeps
// every recursive walk of the emulator far from the stack's end (see docs/serve.md).
inline constexpr std::size_t kMaxJsonDepth = 100;

// The offset of the first byte that does not begin a well-formed UTF-8 sequence (Unicode
// table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or nullopt.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);

// `text` with every byte of an ill-formed sequence written as \xHH, so a message may quote
// request input and still be valid JSON text. Well-formed text comes back unchanged.
std::string escape_utf8(std::string_view text);

// Parses a request body. A body nested deeper than kMaxJsonDepth is refused before parsing (a
// cheap scan), so the parser and the handlers never recurse that far. Errors are 400
// MALFORMED_REQUEST; a valid body that is not an object is left to the endpoint.
ApiResult<nlohmann::json> parse_json_body(std::string_view body);

// nullopt, or the answer to a request that breaks the rules above: a path that is not UTF-8 is
// 404 ENDPOINT_NOT_FOUND "Bad Target: <path, escaped>" (no endpoint has such a path); a query
// key or value, or a string or key in the body, that is not UTF-8, or a body or query too deeply
// nested, is 400 MALFORMED_REQUEST naming where.
std::optional<ApiError> check_request(const ApiRequest& request);

}  // namespace fakedb
