#include "fake-databricks/api/page_token.h"

#include <charconv>

namespace fakedb {

std::string encode_page_token(std::string_view cursor) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(cursor.size() * 2);
  for (const unsigned char c : cursor) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

ApiResult<std::string> decode_page_token(std::string_view token) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  if (token.empty() || token.size() % 2 != 0) {
    return ApiError::invalid_parameter("Invalid page token: " + std::string(token));
  }
  for (std::size_t i = 0; i < token.size(); i += 2) {
    const int hi = nibble(token[i]), lo = nibble(token[i + 1]);
    if (hi < 0 || lo < 0)
      return ApiError::invalid_parameter("Invalid page token: " + std::string(token));
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

ApiResult<std::int64_t> decode_page_cursor(std::string_view token, std::string_view prefix) {
  auto cursor = decode_page_token(token);
  if (!cursor) return cursor.error();
  const std::string& c = *cursor;
  std::int64_t n = 0;
  if (c.size() > prefix.size() && c.compare(0, prefix.size(), prefix) == 0) {
    const char* first = c.data() + prefix.size();
    auto [end, ec] = std::from_chars(first, c.data() + c.size(), n);
    if (ec == std::errc() && end == c.data() + c.size()) return n;
  }
  return ApiError::invalid_parameter("Invalid page token: " + std::string(token));
}

}  // namespace fakedb
