// FakeWorkspace: streams. A task attempt of a streaming workload whose job has a kiln_stream
// parameter processes that stream while it is RUNNING (fake-databricks/streaming/).
#include "core/streams/job_parameters.h"
#include "fake-databricks/workspace/fake_workspace.h"

namespace fakedb {

void FakeWorkspace::wire_streams() {
  streams_ = std::make_unique<streaming::StreamWorld>(ctx_, config_.streams);
  // A crash is a lost driver: the attempt fails (and is retried if it may be); its end stops
  // the run without a release.
  streams_->on_crash([this](std::int64_t task_run_id) { runs_->lose_driver(task_run_id); });
  runs_->on_attempt_running(
      [this](const runs::JobRun& run, const runs::TaskRun& task, const workloads::Model& model) {
        const auto stream = runs::job_parameter(run, kiln::streams::kParamStream);
        if (!stream || stream->empty()) return;  // a plain streaming task
        streaming::RunSetup setup;
        setup.stream = *stream;
        // Without kiln_holder, the job is its own holder (retries keep the same id).
        setup.holder = runs::job_parameter(run, kiln::streams::kParamHolder).value_or("");
        if (setup.holder.empty()) setup.holder = run.run_name;
        setup.job_name = run.run_name;
        setup.job_id = run.job_id;
        setup.run_id = run.run_id;
        setup.task_run_id = task.run_id;
        setup.rate = model.rate;
        setup.tick_ms = model.tick_ms;
        streams_->start_run(std::move(setup), model.startup_ms);
      });
  runs_->on_attempt_ended([this](const runs::JobRun&, const runs::TaskRun& task, bool failed) {
    streams_->stop_run(task.run_id, !failed);
  });
  for (const auto& fault : config_.stream_faults) streams_->inject(fault);
}

}  // namespace fakedb
