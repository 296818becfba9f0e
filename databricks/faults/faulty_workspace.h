// FaultyWorkspace: API faults as a decorator over any WorkspaceApi: the emulator in-process,
// fake-databricks serve, or the real service behind kiln's REST backend. The rules are the same
// ApiFaultRule the emulator's own server-side faults use (api_faults.h): a matching request
// fails before it is sent, or is sent and its answer replaced ("done, but the answer was lost"),
// or its answer arrives late.
//
// It waits only through the Clock and draws only from its Random, so on a SimulatedLoop what it
// does is a pure function of the seed and the requests.
#pragma once

#include <cstdint>
#include <functional>

#include "core/clock/clock.h"
#include "core/random/random.h"
#include "databricks/api/workspace_api.h"
#include "databricks/faults/api_faults.h"

namespace databricks::faults {

class FaultyWorkspace final : public WorkspaceWrapper {
 public:
  // `inner` and `clock` must outlive this object.
  FaultyWorkspace(WorkspaceApi& inner, kiln::core::Clock& clock, kiln::core::Random random)
      : WorkspaceWrapper(inner), clock_(clock), faults_(random) {}

  void add(ApiFaultRule rule) { faults_.add(std::move(rule)); }
  void clear() { faults_.clear(); }

  void call(ApiRequest request, std::function<void(ApiResponse)> done) override;

  // Requests whose answer a rule replaced or delayed.
  std::uint64_t faulted() const { return faulted_; }

 private:
  kiln::core::Clock& clock_;
  ApiFaults faults_;
  std::uint64_t faulted_ = 0;
};

}  // namespace databricks::faults
