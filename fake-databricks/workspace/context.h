// WorkspaceContext: what every part of one emulated workspace shares: its clock, its event
// stream, its seeded randomness and its identity. Components take a named random sub-stream
// (context.random.stream("clusters")) so their draws never shift each other's.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock/clock.h"
#include "core/events/event.h"
#include "core/random/random.h"

namespace fakedb {

struct WorkspaceContext {
  kiln::core::Clock& clock;
  kiln::core::EventLog& events;
  kiln::core::Random random;
  std::string host = "https://fake.cloud.databricks.com";
  std::int64_t workspace_id = 1234567890123456;
  std::string user_name = "kiln@example.com";  // the caller; creator_user_name on jobs and runs

  kiln::core::TimeMs now_ms() const { return clock.now_ms(); }
  // Publishes an event stamped with the current time; builds nothing if nobody listens.
  void publish(std::string type, nlohmann::json fields) const {
    events.publish(kiln::core::Event{clock.now_ms(), std::move(type), std::move(fields)});
  }
};

}  // namespace fakedb
