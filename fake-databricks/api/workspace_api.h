// WorkspaceApi: the one interface through which anything talks to a Databricks workspace:
// fake-databricks in-process, fake-databricks serve over HTTP, or the real service. Fault
// injectors and recorders are decorators over it (LevelDB's EnvWrapper idea).
#pragma once

#include <functional>

#include "fake-databricks/api/api_request.h"

namespace fakedb {

class WorkspaceApi {
 public:
  virtual ~WorkspaceApi() = default;

  // Sends one request. `done` receives the answer exactly once, on the caller's loop, possibly
  // later (network or service latency); never inside this call. An answer with a status other
  // than 200 carries the Databricks error body.
  virtual void call(ApiRequest request, std::function<void(ApiResponse)> done) = 0;
};

}  // namespace fakedb
