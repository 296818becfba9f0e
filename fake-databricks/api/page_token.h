// Opaque page tokens. A token carries a cursor (for example "<310000000012345": entries older
// than that run id), hex-encoded so clients treat it as opaque; a token that does not decode is
// a clear INVALID_PARAMETER_VALUE, never a crash or a silent first page.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fake-databricks/api/params.h"

namespace fakedb {

std::string encode_page_token(std::string_view cursor);
ApiResult<std::string> decode_page_token(std::string_view token);

// Decodes a token made by encode_page_token(prefix + number) and returns the number; any other
// token is INVALID_PARAMETER_VALUE "Invalid page token".
ApiResult<std::int64_t> decode_page_cursor(std::string_view token, std::string_view prefix);

}  // namespace fakedb
