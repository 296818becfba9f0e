#include "fake-databricks/api/request_checks.h"

#include <algorithm>
#include <array>
#include <vector>

#include "core/text/utf8.h"

namespace fakedb {
namespace {

std::string hex_byte(unsigned char b) {
  constexpr std::string_view kDigits = "0123456789ABCDEF";
  return std::string("\\x") + kDigits[b >> 4] + kDigits[b & 0xF];
}

ApiError not_utf8(const std::string& where, std::string_view text, std::size_t at) {
  return ApiError::malformed("Malformed request: " + where + " is not valid UTF-8 (byte " +
                             hex_byte(static_cast<unsigned char>(text[at])) + " at offset " +
                             std::to_string(at) + ")");
}

ApiError too_deep(const std::string& where) {
  return ApiError::malformed("Malformed request: " + where + " is nested deeper than " +
                             std::to_string(kMaxJsonDepth) + " levels");
}

// Walks a JSON value without recursion (it may come from an in-process caller, of any depth).
std::optional<ApiError> check_body(const nlohmann::json& body) {
  struct Item {
    const nlohmann::json* value;
    std::size_t depth;
  };
  std::vector<Item> pending{{&body, 0}};
  while (!pending.empty()) {
    const Item item = pending.back();
    pending.pop_back();
    const nlohmann::json& v = *item.value;
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      if (auto at = invalid_utf8_at(s)) return not_utf8("a string in the request body", s, *at);
      continue;
    }
    if (!v.is_structured()) continue;
    if (item.depth + 1 > kMaxJsonDepth) return too_deep("the request body");
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (v.is_object()) {
        if (auto at = invalid_utf8_at(it.key())) {
          return not_utf8("a field name in the request body", it.key(), *at);
        }
      }
      pending.push_back(Item{&it.value(), item.depth + 1});
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::size_t> invalid_utf8_at(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = kiln::core::utf8_sequence_length(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

std::string escape_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = kiln::core::utf8_sequence_length(text, i);
    if (n == 0) {
      out += hex_byte(static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

ApiResult<nlohmann::json> parse_json_body(std::string_view body) {
  // Brackets outside strings give the depth; a string's escaped quote does not end it.
  std::size_t depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        return ApiError::malformed(
            "Invalid JSON given in the body of the request - nested deeper than " +
            std::to_string(kMaxJsonDepth) + " levels at byte " + std::to_string(i + 1));
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return ApiError::malformed(
        "Invalid JSON given in the body of the request - failed to parse given JSON");
  }
  return parsed;
}

std::optional<ApiError> check_request(const ApiRequest& request) {
  if (invalid_utf8_at(request.path)) return ApiError::bad_target(escape_utf8(request.path));
  for (const auto& [key, value] : request.query) {
    if (auto at = invalid_utf8_at(key)) return not_utf8("a query parameter's name", key, *at);
    if (auto at = invalid_utf8_at(value)) {
      return not_utf8("the query parameter " + key, value, *at);
    }
    // Dotted keys become nested fields (filter_by.cluster_states).
    if (static_cast<std::size_t>(std::count(key.begin(), key.end(), '.')) >= kMaxJsonDepth) {
      return too_deep("the query parameter " + key);
    }
  }
  return check_body(request.body);
}

}  // namespace fakedb
