// The world a scenario runs in: fake-databricks in-process on a SimulatedLoop, an artifact store
// and a metadata DB in memory (the writer locks' service over the DB), the repository as the
// timeline has changed it so far, and a Kiln that can crash and restart. Everything it does is
// published on one EventLog (the trace).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock/simulated_loop.h"
#include "core/events/event.h"
#include "fake-databricks/workspace/fake_workspace.h"
#include "platform/artifacts/artifact_store.h"
#include "platform/notify/notifier.h"
#include "platform/runtime/kiln.h"
#include "platform/scenario/scenario.h"
#include "platform/store/metadata_store.h"
#include "platform/streams/store_lock_service.h"

namespace kiln::scenario {

// The emulator's config for a scenario: its `workspace` section plus a workload rule per job
// version and the timeline's faults. An error names the field.
struct CompiledWorkspace {
  nlohmann::json spec;
  std::string error;
};
CompiledWorkspace compile_workspace(const Scenario& scenario);

// The kiln options of a scenario's `kiln` section.
runtime::KilnOptions kiln_options(const Scenario& scenario);

// The config file text of a repo job at a version (what `kiln build` would find in the repo).
std::string job_config_yaml(const RepoJob& job);

class World {
 public:
  // Throws std::runtime_error with a message naming the scenario's field if the world cannot be
  // built (a workspace config the emulator refuses, a job config kiln refuses).
  explicit World(const Scenario& scenario);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Publishes the first build and starts kiln: call once, after subscribing to `events`.
  void begin();

  core::TimeMs start_ms() const { return start_ms_; }
  core::DurationMs elapsed_ms() const { return loop.now_ms() - start_ms_; }
  void publish(const std::string& type, nlohmann::json fields);

  // The timeline's actions.
  void merge(const TimelineEvent& event);  // changes jobs, then builds
  void deploy(const TimelineEvent& event);
  void crash(const TimelineEvent& event);
  void restart();
  // A stream event of the timeline (world_streams.cc): a source's change, or a fault on the
  // streaming runs it selects.
  void stream_event(const TimelineEvent& event);

  // The writer-lock holder id of the newest deployment of (job, target) at `version`, "" if
  // there is none yet.
  std::string holder_of(const std::string& job, const std::string& target,
                        std::int64_t version) const;
  // The deployment a holder id ("deployment-<id>") names, if it is one.
  std::optional<store::Deployment> deployment_of_holder(const std::string& holder) const;

  // Reads for expectations (no events, no faults: FakeWorkspace::inspect).
  nlohmann::json inspect(const std::string& path,
                         std::vector<std::pair<std::string, std::string>> query);
  // Managed Databricks jobs of (name, target), by the kiln tags.
  std::vector<nlohmann::json> managed_jobs(const std::string& name, const std::string& target);
  std::vector<nlohmann::json> runs_of(std::int64_t job_id);

  const Scenario& scenario;
  core::SimulatedLoop loop;
  core::EventLog events;
  std::unique_ptr<fakedb::FakeWorkspace> workspace;
  std::unique_ptr<artifacts::ArtifactStore> artifacts;
  std::unique_ptr<store::MetadataStore> store;
  // The writer locks and checkpoints of streams, in the metadata DB: it outlives kiln's crashes
  // and the fake's streaming runs coordinate through it.
  std::unique_ptr<streams::StoreLockService> locks;
  std::unique_ptr<runtime::Kiln> kiln;  // null while crashed
  // With a `notifications` section: the notifier (it outlives kiln's crashes, like the people
  // it notifies) and the receiver its posts reach, on virtual time.
  std::unique_ptr<notify::HttpPoster> receiver;
  std::unique_ptr<notify::Notifier> notifier;
  std::vector<std::string> builds;  // build ids, in order (build 1 is the first commit)
  // kiln's own events so far (not the emulator's, not the scenario's), for `that: events`; the
  // lock service's stream.lock, stream.preferred and stream.refused among them.
  std::vector<core::Event> kiln_events;

 private:
  void build(const std::string& why);

  core::TimeMs start_ms_ = 0;
  core::EventLog::SubscriptionId kept_ = 0;
  std::map<std::pair<std::string, std::string>, RepoJob> repo_;  // the repository now
  int commits_ = 0;
};

}  // namespace kiln::scenario
