// StreamingRun: what one running task attempt of a streaming job does with its stream, following
// the writer-lock protocol of core/streams/writer_lock.h.
//
//   starting  after its startup time it reads the checkpoint and processes from there
//   follower  every tick it processes up to rate * tick positions, never past the source head
//             (a hot standby); once caught up (processed >= the checkpoint as it last saw it)
//             it asks for the lock every tick: it gets it when the lock is free, or when it is
//             the preferred holder and caught up (the coordinator decides)
//   writer    every tick it commits what it processed since its last write (one micro-batch:
//             outputs [written_to, processed) and the new checkpoint in one call, which renews
//             the lease), or renews when there is nothing new; on a grant it writes from the
//             checkpoint, jumping its processed position up to it if it was behind. A refused
//             commit or renewal (stale token, lease ran out) makes it a follower: it never
//             writes again until it is granted the lock again. An unavailable answer changes
//             nothing (it tries again next tick; its lease may run out meanwhile)
//   stopped   its task attempt ended: cancelled or finished runs release the lock they hold;
//             a crashed, stalled or partitioned one cannot, and its lease runs out
//
// Role changes are published as "stream.run" {stream, holder, run_id, task_run_id, role,
// processed, token?, reason?}; faults as "stream.fault" {stream, holder, run_id, task_run_id,
// fault, phase: start|end, until_ms?, factor?}. Ticks themselves publish nothing.
#pragma once

#include <cstdint>
#include <string>

#include "core/streams/writer_lock.h"
#include "fake-databricks/streaming/stream_fault.h"
#include "fake-databricks/streaming/stream_sink.h"
#include "fake-databricks/streaming/stream_source.h"
#include "fake-databricks/workspace/context.h"

namespace fakedb::streaming {

inline constexpr const char* kRunEvent = "stream.run";
inline constexpr const char* kFaultEvent = "stream.fault";

enum class Role { starting, follower, writer, stopped };
const char* to_string(Role role);

// Who a run is and how fast it goes.
struct RunSetup {
  std::string stream;
  std::string holder;    // its holder id (kiln names the version being deployed)
  std::string job_name;  // for faults found by job
  std::int64_t job_id = 0;
  std::int64_t run_id = 0;       // the job run
  std::int64_t task_run_id = 0;  // the task attempt
  double rate = 150;             // positions per second it can process
  DurationMs tick_ms = 1'000;
  DurationMs startup_ms = 0;  // from RUNNING until it reads the checkpoint
};

// A run as a checker sees it.
struct RunView {
  RunSetup setup;
  Role role = Role::starting;
  Position processed = 0;   // every source position below it is processed
  Position written_to = 0;  // a writer's next write starts here (its checkpoint)
  Position committed_seen = 0;
  std::int64_t token = 0;  // the token of its newest grant (0: never granted)
  bool holds_lock = false;
  bool stalled = false, partitioned = false;
  double speed = 1;  // the slow factor in force
};

// What a run works with; every part outlives the run.
struct RunParts {
  const WorkspaceContext& ctx;
  const StreamSource& source;
  StreamSink& sink;
  kiln::streams::StreamCoordinator& coordinator;
};

class StreamingRun {
 public:
  StreamingRun(RunParts parts, RunSetup setup);
  ~StreamingRun();
  StreamingRun(const StreamingRun&) = delete;
  StreamingRun& operator=(const StreamingRun&) = delete;

  // Publishes "starting"; after setup.startup_ms the first tick reads the checkpoint.
  void start();
  // The task attempt ended. With `release` (cancel, timeout, end) a writer releases the lock,
  // unless it is stalled or partitioned. A stopped run does nothing more.
  void stop(bool release);
  // Starts a stall, partition or slow window now (a crash is the workspace's to do: this only
  // publishes it). A new window of the same kind extends the one in force.
  void apply(const StreamFault& fault);

  RunView view() const;
  const RunSetup& setup() const { return setup_; }
  bool stopped() const { return role_ == Role::stopped; }

 private:
  enum Window { kStall, kPartition, kSlow, kWindows };

  void tick();
  void read_checkpoint();
  void process(TimeMs now, Position head);
  void write_or_renew(TimeMs now, Position head);
  void ask_for_lock(Position head);
  // Calls the coordinator, or answers unavailable while partitioned.
  template <class Call>
  kiln::streams::Answer call(Call call);
  bool in_window(Window w) const;
  void become(Role role, const std::string& reason = "");
  void publish_role(const std::string& reason);
  void publish_fault(const char* fault, bool starts, TimeMs until_ms, double factor);

  RunParts parts_;
  RunSetup setup_;
  Role role_ = Role::starting;
  Position processed_ = 0;
  Position written_to_ = 0;
  Position committed_seen_ = 0;
  std::int64_t token_ = 0;
  double carry_ = 0;  // the fraction of a position left from the last tick's allowance
  double speed_ = 1;
  kiln::core::TimerId tick_timer_ = 0;
  TimeMs until_ms_[kWindows] = {};
  kiln::core::TimerId end_timer_[kWindows] = {};
};

}  // namespace fakedb::streaming
