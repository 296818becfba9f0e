// A scenario: a whole world in one YAML file (docs/scenarios.md): the workspace, the repository's
// jobs, kiln's settings, a timeline of what happens when, and what must hold. Loaded by
// load_scenario (loader.h), run by run_scenario (runner.h). Times are milliseconds from the
// scenario's start; ranges in the file are drawn from the seed when the scenario is loaded for
// a run, so a (file, seed) pair is one fixed world.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock/clock.h"

namespace kiln::scenario {

using core::DurationMs;

// Where something was written, for messages: "file:line:column".
struct Where {
  std::string file;
  int line = 0, column = 0;
  std::string to_string() const;
};

// A job of the repository as the scenario declares it: the fields of a kiln job config, plus
// the emulator's workload model for its tasks.
struct RepoJob {
  Where where;
  std::string name, target;
  std::int64_t deploy_version = 0;
  std::string strategy = "simple";
  std::optional<std::int64_t> health_seconds;
  std::string stream;  // blue-green: the stream its versions share ("": <name>.<target>)
  std::string owner;
  nlohmann::json settings;  // Jobs API JobSettings without name; a default one when not given
  nlohmann::json workload;  // null: the workspace's default model ({kind: streaming} for
                            // blue-green)
  // The stream whose writer lock its blue-green versions share (kiln's stream_name()).
  std::string stream_name() const { return stream.empty() ? name + "." + target : stream; }
};

// One timeline entry. `kind` says which fields matter.
struct TimelineEvent {
  Where where;
  std::string field;  // its path in the file: "timeline[3]"
  DurationMs at_ms = 0;
  std::string kind;  // merge, deploy, crash, api_outage, rate_limit_storm, cluster_launch_failure,
                     // run_fails, receiver_down, note, and the stream events (stream_fields.h)
  // merge: the jobs changed (name, target and the fields given), as partial RepoJobs.
  std::vector<nlohmann::json> changes;
  // deploy: which job, target and build (1-based number of the scenario's builds; 0: latest).
  std::string job, target;
  int build = 0;
  std::string reason;
  // crash: when kiln comes back (from the crash).
  DurationMs restart_after_ms = 0;
  // api_outage / rate_limit_storm: the window and which requests.
  DurationMs for_ms = 0;
  std::string pattern = "*";
  int status = 503;
  int retry_after_s = 1;
  // cluster_launch_failure: how many launches fail; run_fails: how (driver_lost, internal_error).
  int count = 1;
  std::string how = "driver_lost";
  std::string text;  // note
  // Stream events. stream_rate: the stream and its source's change (a new rate, a burst of
  // positions, a pause). The others hit the streaming runs chosen by job (a glob; `target`
  // narrows it), `version` (the run of the deployment of that deployVersion, resolved when the
  // event happens) or `holder` (a glob), for `for_ms` (run_hang: 0 until the end).
  std::string stream;
  std::optional<double> rate;
  std::int64_t burst = 0;
  DurationMs pause_ms = 0;
  std::optional<std::int64_t> version;
  std::string holder;
  double factor = 1;  // stream_slow
};

// What must hold. `when` says at which times it is checked.
struct Expectation {
  Where where;
  std::string when;                                // at, eventually, always, end
  DurationMs at_ms = 0;                            // at; eventually: from
  DurationMs within_ms = 0;                        // eventually: to at_ms + within_ms
  DurationMs every_ms = 10'000;                    // eventually: how often it is checked
  std::string that;                                // the predicate (expectations.h)
  nlohmann::json args = nlohmann::json::object();  // its arguments (job, target, version, ...)
  std::string describe() const;  // "eventually within 20m after 10m: deployed orders ..."
};

struct KilnSettings {
  std::vector<std::string> cd_targets;  // empty: every target of the repository
  DurationMs cd_interval_ms = 60'000;
  DurationMs poll_ms = 5'000;
  DurationMs queue_poll_ms = 5'000;
  std::string wait_for = "running";
  DurationMs stop_timeout_ms = 600'000;
  DurationMs start_timeout_ms = 1'800'000;
  DurationMs run_timeout_ms = 7'200'000;
  DurationMs first_backoff_ms = 1'000;
  DurationMs max_backoff_ms = 60'000;
  int max_attempts = 8;
  DurationMs step_timeout_ms = 600'000;
  DurationMs monitor_interval_ms = 60'000;      // monitoring passes (0s: no monitoring)
  DurationMs cleanup_interval_ms = 86'400'000;  // stale-job cleanup passes (0s: no cleanup)
  DurationMs stale_after_ms = 90LL * 86'400'000;
  bool cleanup_dry_run = false;
  DurationMs quota_wait_ms = 3'600'000;  // a deploy blocked by the quota waits this long
  // Blue-green and the writer locks (docs/streams.md).
  DurationMs lease_ms = 30'000;              // a lock grant, renewal or commit lasts this long
  DurationMs catch_up_timeout_ms = 600'000;  // green may take this long after t2 to take over
  DurationMs park_blue_ms = 0;               // blue's stopped job is kept this long (0: deleted)
};

struct Scenario {
  std::string file;
  std::string name, description;
  std::uint64_t seed = 0;
  DurationMs duration_ms = 0;
  nlohmann::json workspace = nlohmann::json::object();  // WorkspaceConfig JSON
  KilnSettings kiln;
  std::vector<RepoJob> repo;
  std::vector<TimelineEvent> timeline;  // by at_ms, then file order
  std::vector<Expectation> expectations;
  // Where notifications go (docs/notifications.md), delivered to a receiver on virtual time;
  // null: no notifications.
  nlohmann::json notifications;
};

}  // namespace kiln::scenario
