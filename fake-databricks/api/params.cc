#include "fake-databricks/api/params.h"

#include <charconv>
#include <limits>

namespace fakedb {
namespace {

// Sets values["a"]["b"] for the dotted key "a.b"; a repeated key becomes an array.
void put_query_value(nlohmann::json& values, const std::string& key, const std::string& value) {
  nlohmann::json* node = &values;
  std::size_t start = 0;
  for (std::size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
    nlohmann::json& child = (*node)[key.substr(start, dot - start)];
    if (!child.is_object()) child = nlohmann::json::object();
    node = &child;
    start = dot + 1;
  }
  nlohmann::json& slot = (*node)[key.substr(start)];
  if (slot.is_null()) {
    slot = value;
  } else if (slot.is_array()) {
    slot.push_back(value);
  } else {
    slot = nlohmann::json::array({slot, value});
  }
}

}  // namespace

ApiResult<Params> Params::from(const ApiRequest& request) {
  if (request.method == "GET") {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [key, value] : request.query) put_query_value(values, key, value);
    return Params(std::move(values), true);
  }
  if (request.body.is_null()) return Params(nlohmann::json::object());
  if (!request.body.is_object()) {
    return ApiError::malformed("Invalid JSON given in the body of the request - expected a map");
  }
  return Params(request.body);
}

const nlohmann::json* Params::find(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool Params::has(std::string_view name) const {
  return find(name) != nullptr;
}

ApiResult<std::optional<std::int64_t>> Params::int64(std::string_view name) const {
  const nlohmann::json* v = find(name);
  if (v == nullptr) return std::optional<std::int64_t>{};
  // An unsigned value above INT64_MAX would wrap to a negative id; a double out of range would
  // make the cast below undefined.
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > kMax) {
    return wrong_type(name, "an integer");
  }
  if (v->is_number_integer()) return std::optional<std::int64_t>{v->get<std::int64_t>()};
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (d >= -0x1p63 && d < 0x1p63 && d == static_cast<double>(static_cast<std::int64_t>(d))) {
      return std::optional<std::int64_t>{static_cast<std::int64_t>(d)};
    }
  }
  if (v->is_string()) {  // query strings carry numbers as text; JSON bodies may quote int64s
    const auto& s = v->get_ref<const std::string&>();
    std::int64_t out = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) {
      return std::optional<std::int64_t>{out};
    }
  }
  return wrong_type(name, "an integer");
}

ApiResult<std::int64_t> Params::required_int64(std::string_view name) const {
  auto v = int64(name);
  if (!v) return v.error();
  if (!v->has_value()) return missing_field(name);
  return **v;
}

ApiResult<std::optional<bool>> Params::boolean(std::string_view name) const {
  const nlohmann::json* v = find(name);
  if (v == nullptr) return std::optional<bool>{};
  if (v->is_boolean()) return std::optional<bool>{v->get<bool>()};
  if (from_query_ && v->is_string()) {
    if (*v == "true") return std::optional<bool>{true};
    if (*v == "false") return std::optional<bool>{false};
  }
  return wrong_type(name, "a boolean");
}

ApiResult<std::optional<std::string>> Params::string(std::string_view name) const {
  const nlohmann::json* v = find(name);
  if (v == nullptr) return std::optional<std::string>{};
  if (v->is_string()) return std::optional<std::string>{v->get<std::string>()};
  return wrong_type(name, "a string");
}

ApiResult<std::string> Params::required_string(std::string_view name) const {
  auto v = string(name);
  if (!v) return v.error();
  if (!v->has_value()) return missing_field(name);
  return **v;
}

ApiResult<std::optional<std::vector<std::string>>> Params::strings(std::string_view name) const {
  const nlohmann::json* v = find(name);
  if (v == nullptr) return std::optional<std::vector<std::string>>{};
  std::vector<std::string> out;
  if (v->is_string() && from_query_) {
    out.push_back(v->get<std::string>());
    return std::optional<std::vector<std::string>>{std::move(out)};
  }
  if (!v->is_array()) return wrong_type(name, "a list of strings");
  for (const auto& item : *v) {
    if (!item.is_string()) return wrong_type(name, "a list of strings");
    out.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>{std::move(out)};
}

ApiResult<std::optional<Params>> Params::object(std::string_view name) const {
  const nlohmann::json* v = find(name);
  if (v == nullptr) return std::optional<Params>{};
  if (!v->is_object()) return wrong_type(name, "an object");
  return std::optional<Params>{Params(*v, from_query_)};
}

}  // namespace fakedb
