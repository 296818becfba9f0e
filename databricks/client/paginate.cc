#include "databricks/client/paginate.h"

#include <memory>
#include <utility>

namespace databricks {
namespace {

using databricks::ApiRequest;
using databricks::ApiResponse;

struct Listing {
  databricks::WorkspaceApi& api;
  ApiRequest request;
  std::string field;
  std::function<void(ListResult)> done;
  ListOptions options;
  ListResult result;
  std::string last_token;
  std::int64_t offset = 0;
};

std::string describe(const ApiRequest& r) {
  return r.method + " " + r.path;
}

// Sets a paging parameter: the query pair for a GET (replacing any), the body field otherwise.
void set_param(ApiRequest& r, const std::string& key, const std::string& value) {
  if (r.method == "GET") {
    std::erase_if(r.query, [&](const auto& pair) { return pair.first == key; });
    r.query.emplace_back(key, value);
    return;
  }
  if (!r.body.is_object()) r.body = nlohmann::json::object();
  if (key == "offset") {
    r.body[key] = std::stoll(value);
  } else {
    r.body[key] = value;
  }
}

void fail(const std::shared_ptr<Listing>& l, int status, std::string code,
          const std::string& message) {
  l->result.status = status;
  l->result.error_code = std::move(code);
  l->result.error = "listing " + describe(l->request) + ", page " +
                    std::to_string(l->result.pages) + ": " + message;
  l->done(std::move(l->result));
}

void fetch(const std::shared_ptr<Listing>& l);

void on_page(const std::shared_ptr<Listing>& l, const ApiResponse& r) {
  ++l->result.pages;
  if (!r.ok()) {
    const auto text = [&](const char* key) {
      return r.body.is_object() && r.body.contains(key) && r.body[key].is_string()
                 ? r.body[key].get<std::string>()
                 : std::string();
    };
    fail(l, r.status, text("error_code"),
         "HTTP " + std::to_string(r.status) + " " + text("error_code") + ": " + text("message"));
    return;
  }
  const auto& body = r.body;
  std::int64_t on_this_page = 0;
  if (body.is_object() && body.contains(l->field) && body[l->field].is_array()) {
    for (const auto& item : body[l->field]) l->result.items.push_back(item);
    on_this_page = static_cast<std::int64_t>(body[l->field].size());
  }
  const std::string token =
      body.is_object() && body.contains("next_page_token") && body["next_page_token"].is_string()
          ? body["next_page_token"].get<std::string>()
          : std::string();
  const bool has_more = body.is_object() && body.value("has_more", false);
  if (token.empty() && (!has_more || on_this_page == 0)) {
    l->done(std::move(l->result));
    return;
  }
  if (l->result.pages >= l->options.max_pages) {
    fail(l, 200, "TOO_MANY_PAGES",
         "gave up after " + std::to_string(l->options.max_pages) + " pages, more were announced");
    return;
  }
  if (!token.empty()) {
    if (token == l->last_token) {
      fail(l, 200, "REPEATED_PAGE_TOKEN", "the server sent the same next_page_token twice");
      return;
    }
    l->last_token = token;
    set_param(l->request, "page_token", token);
  } else {
    l->offset += on_this_page;
    set_param(l->request, "offset", std::to_string(l->offset));
  }
  fetch(l);
}

void fetch(const std::shared_ptr<Listing>& l) {
  l->api.call(l->request, [l](const ApiResponse& r) { on_page(l, r); });
}

}  // namespace

void list_all(databricks::WorkspaceApi& api, ApiRequest first, std::string array_field,
              std::function<void(ListResult)> done, ListOptions options) {
  auto l = std::make_shared<Listing>(
      Listing{api, std::move(first), std::move(array_field), std::move(done), options, {}, {}, 0});
  // An offset-paged listing starts where the first request says.
  const nlohmann::json* offset = nullptr;
  if (l->request.body.is_object() && l->request.body.contains("offset")) {
    offset = &l->request.body["offset"];
  }
  if (offset != nullptr && offset->is_number_integer()) l->offset = offset->get<std::int64_t>();
  for (const auto& [key, value] : l->request.query) {
    if (key == "offset") l->offset = std::strtoll(value.c_str(), nullptr, 10);
  }
  fetch(l);
}

ApiError error_of(const ListResult& result) {
  ApiError e;
  e.http_status = result.status;
  e.error_code = result.error_code;
  e.message = result.error;
  return e;
}

}  // namespace databricks
