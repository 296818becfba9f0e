// list_all: every item of a paginated Databricks list (jobs/list, runs/list, clusters/list...),
// following next_page_token (or, for the offset-paged 2.0 lists, has_more) to the end.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "databricks/api/workspace_api.h"

namespace databricks {

struct ListResult {
  nlohmann::json items = nlohmann::json::array();  // the pages' arrays, concatenated in order
  int pages = 0;                                   // pages fetched (a failed one included)
  // On failure: the failing page's status (0 for a transport failure; 200 when the pages were
  // fine but the listing was not: too many pages, a repeated page token), its error_code and a
  // message naming the request and the page.
  int status = 200;
  std::string error_code;
  std::string error;
  bool ok() const { return error.empty(); }
};

// A failed listing as an ApiError: its status and code, and the message naming the page.
ApiError error_of(const ListResult& result);

struct ListOptions {
  int max_pages = 10'000;
};

// Sends `first`, then the same request with page_token (a query pair for GET, a body field for
// POST) set to each answer's next_page_token; an answer with has_more but no token moves on by
// offset instead. Stops at an answer with neither. A page without `array_field` adds nothing.
// `done` runs once, on the WorkspaceApi's loop.
void list_all(databricks::WorkspaceApi& api, databricks::ApiRequest first, std::string array_field,
              std::function<void(ListResult)> done, ListOptions options = {});

}  // namespace databricks
