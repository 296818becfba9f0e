// WorkspaceApi: the one interface through which anything talks to a Databricks workspace:
// fake-databricks in-process, fake-databricks serve over HTTP, or the real service. Fault
// injectors and recorders are decorators over it (LevelDB's EnvWrapper idea).
#pragma once

#include <functional>
#include <utility>

#include "databricks/api/api_request.h"

namespace databricks {

class WorkspaceApi {
 public:
  virtual ~WorkspaceApi() = default;

  // Sends one request. `done` receives the answer exactly once, on the caller's loop, possibly
  // later (network or service latency); never inside this call. An answer with a status other
  // than 200 carries the Databricks error body.
  virtual void call(ApiRequest request, std::function<void(ApiResponse)> done) = 0;
};

// WorkspaceWrapper: forwards every call to another WorkspaceApi. A decorator derives from it and
// overrides only what it changes (LevelDB's EnvWrapper), so adding a method to WorkspaceApi
// never breaks a decorator.
class WorkspaceWrapper : public WorkspaceApi {
 public:
  // `inner` must outlive this object.
  explicit WorkspaceWrapper(WorkspaceApi& inner) : inner_(inner) {}
  void call(ApiRequest request, std::function<void(ApiResponse)> done) override {
    inner_.call(std::move(request), std::move(done));
  }
  WorkspaceApi& inner() const { return inner_; }

 private:
  WorkspaceApi& inner_;
};

}  // namespace databricks
