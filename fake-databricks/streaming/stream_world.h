// StreamWorld: the streams of one emulated workspace: each stream's source, the one output
// sink, the streaming runs of running task attempts, stream faults, and the lock service the
// runs coordinate through (kiln's, attached from outside: the fake does not own it).
//
// The workspace starts a run when a streaming task attempt whose job names a stream enters
// RUNNING, and stops it when the attempt leaves RUNNING. Everything is on the workspace's
// clock; a run's startup time is drawn from the sub-stream "streams"/<task run id>.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/streams/writer_lock.h"
#include "fake-databricks/streaming/stream_fault.h"
#include "fake-databricks/streaming/stream_sink.h"
#include "fake-databricks/streaming/stream_source.h"
#include "fake-databricks/streaming/streaming_run.h"
#include "fake-databricks/workloads/distribution.h"
#include "fake-databricks/workspace/context.h"

namespace fakedb::streaming {

class StreamWorld {
 public:
  // `sources` configure named streams; any other stream gets a source at kDefaultSourceRate.
  // Every source's timeline starts at the clock's time now.
  StreamWorld(const WorkspaceContext& ctx, const std::vector<SourceSpec>& sources);
  ~StreamWorld();
  StreamWorld(const StreamWorld&) = delete;
  StreamWorld& operator=(const StreamWorld&) = delete;

  // --- the lock service ---
  // The coordinator every run calls; it must outlive this world or be detached first. Until
  // one is attached, a task attempt that names a stream runs as a plain streaming task (no
  // stream run is made). Detached later, every call of a live run answers unavailable.
  void attach(kiln::streams::StreamCoordinator& coordinator) { target_ = &coordinator; }
  void detach() { target_ = nullptr; }
  bool attached() const { return target_ != nullptr; }

  // How a crash fault fails a task attempt (the workspace loses its driver, and the attempt's
  // end stops the run without a release). Unset, a crash stops the run without a release.
  void on_crash(std::function<void(std::int64_t task_run_id)> crash) { crash_ = std::move(crash); }

  // --- sources ---
  // The stream's source, made at the default rate on first use (starting, like every source,
  // when the world was made).
  const StreamSource& source(const std::string& stream);
  // The stream's source head now.
  Position head(const std::string& stream) const;
  // A change of the source's timeline (a rate change, a burst, a pause); one in the past
  // applies now, so the head never moves backwards.
  void change_source(const std::string& stream, SourceChange change);

  // --- runs ---
  // Starts the run of a task attempt (setup.startup_ms is drawn from `startup_ms`). Returns
  // nullptr, starting nothing, when no coordinator is attached or the attempt already has one.
  const StreamingRun* start_run(RunSetup setup, const workloads::Distribution& startup_ms);
  // The attempt ended: with `release` (cancel, timeout) a writer releases the lock; without
  // (a failure) it does not. Unknown or stopped runs are ignored.
  void stop_run(std::int64_t task_run_id, bool release);

  // --- faults ---
  // At fault.at_ms (now, if it is past) the fault hits every live run it matches.
  void inject(const StreamFault& fault);

  // --- reads for checkers ---
  const StreamSink& sink() const { return sink_; }
  // Every run ever started, live or stopped, by task run id (start order).
  std::vector<RunView> runs() const;
  std::optional<RunView> run(std::int64_t task_run_id) const;

 private:
  void hit(const StreamFault& fault);

  const WorkspaceContext& ctx_;
  kiln::core::TimeMs start_ms_;
  kiln::core::Random random_;
  StreamSink sink_;
  kiln::streams::StreamCoordinator* target_ = nullptr;
  std::unique_ptr<kiln::streams::StreamCoordinator> link_;  // forwards to target_, if any
  std::function<void(std::int64_t)> crash_;
  std::map<std::string, StreamSource> sources_;
  std::map<std::int64_t, std::unique_ptr<StreamingRun>> runs_;  // by task run id
  std::vector<kiln::core::TimerId> fault_timers_;
};

}  // namespace fakedb::streaming
