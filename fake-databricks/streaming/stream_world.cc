#include "fake-databricks/streaming/stream_world.h"

#include <algorithm>

#include "core/text/glob.h"

namespace fakedb::streaming {

using kiln::streams::Answer;
using kiln::streams::Position;
using kiln::streams::Refusal;
using kiln::streams::StreamCoordinator;

namespace {

// Forwards every call to the attached coordinator; with none, answers unavailable, as an
// unreachable lock service would.
class CoordinatorLink final : public StreamCoordinator {
 public:
  explicit CoordinatorLink(StreamCoordinator* const& target) : target_(target) {}

  Answer acquire(const std::string& stream, const std::string& requester, Position processed,
                 Position head) override {
    return target_ ? target_->acquire(stream, requester, processed, head) : unavailable();
  }
  Answer renew(const std::string& stream, const std::string& holder, std::int64_t token,
               Position head) override {
    return target_ ? target_->renew(stream, holder, token, head) : unavailable();
  }
  Answer release(const std::string& stream, const std::string& holder,
                 std::int64_t token) override {
    return target_ ? target_->release(stream, holder, token) : unavailable();
  }
  Answer commit(const std::string& stream, const std::string& holder, std::int64_t token,
                Position from, Position to, Position head) override {
    return target_ ? target_->commit(stream, holder, token, from, to, head) : unavailable();
  }
  Answer read(const std::string& stream) override {
    return target_ ? target_->read(stream) : unavailable();
  }

 private:
  static Answer unavailable() {
    Answer a;
    a.refusal = Refusal::kUnavailable;
    a.message = "no lock service is attached to the workspace";
    return a;
  }
  StreamCoordinator* const& target_;
};

}  // namespace

StreamWorld::StreamWorld(const WorkspaceContext& ctx, const std::vector<SourceSpec>& sources)
    : ctx_(ctx),
      start_ms_(ctx.now_ms()),
      random_(ctx.random.stream("streams")),
      sink_(&ctx.events),
      link_(std::make_unique<CoordinatorLink>(target_)) {
  for (const auto& spec : sources)
    sources_.insert_or_assign(spec.name, StreamSource(spec, start_ms_));
}

StreamWorld::~StreamWorld() {
  for (auto id : fault_timers_) ctx_.clock.cancel(id);
}

const StreamSource& StreamWorld::source(const std::string& stream) {
  auto it = sources_.find(stream);
  if (it == sources_.end()) {
    SourceSpec spec;
    spec.name = stream;
    it = sources_.emplace(stream, StreamSource(spec, start_ms_)).first;
  }
  return it->second;
}

Position StreamWorld::head(const std::string& stream) const {
  const auto it = sources_.find(stream);
  if (it != sources_.end()) return it->second.head(ctx_.now_ms());
  SourceSpec spec;  // what source() would make
  spec.name = stream;
  return StreamSource(spec, start_ms_).head(ctx_.now_ms());
}

void StreamWorld::change_source(const std::string& stream, SourceChange change) {
  source(stream);  // made if new
  change.at_ms = std::max(change.at_ms, ctx_.now_ms());
  sources_.at(stream).add(change);
}

const StreamingRun* StreamWorld::start_run(RunSetup setup,
                                           const workloads::Distribution& startup_ms) {
  if (!attached() || runs_.count(setup.task_run_id) != 0) return nullptr;
  kiln::core::Random random = random_.stream(std::to_string(setup.task_run_id));
  setup.startup_ms = startup_ms.draw_ms(random);
  const StreamSource& from = source(setup.stream);
  const std::int64_t id = setup.task_run_id;
  auto run = std::make_unique<StreamingRun>(RunParts{ctx_, from, sink_, *link_}, std::move(setup));
  StreamingRun* started = run.get();
  runs_.emplace(id, std::move(run));
  started->start();
  return started;
}

void StreamWorld::stop_run(std::int64_t task_run_id, bool release) {
  auto it = runs_.find(task_run_id);
  if (it != runs_.end()) it->second->stop(release);
}

void StreamWorld::inject(const StreamFault& fault) {
  fault_timers_.push_back(ctx_.clock.schedule_at(fault.at_ms, [this, fault] { hit(fault); }));
}

void StreamWorld::hit(const StreamFault& fault) {
  // Decided first, applied after: a crash stops runs while we go.
  std::vector<std::int64_t> targets;
  for (const auto& [id, run] : runs_) {
    const RunSetup& s = run->setup();
    if (run->stopped() || !kiln::core::glob_match(fault.job, s.job_name) ||
        !kiln::core::glob_match(fault.holder, s.holder)) {
      continue;
    }
    if (fault.run_id != 0 && fault.run_id != s.run_id && fault.run_id != s.task_run_id) continue;
    targets.push_back(id);
  }
  for (auto id : targets) {
    StreamingRun& run = *runs_.at(id);
    run.apply(fault);
    if (fault.kind != StreamFault::Kind::crash) continue;
    if (crash_) {
      crash_(id);
    } else {
      run.stop(false);
    }
  }
}

std::vector<RunView> StreamWorld::runs() const {
  std::vector<RunView> out;
  for (const auto& [id, run] : runs_) out.push_back(run->view());
  return out;
}

std::optional<RunView> StreamWorld::run(std::int64_t task_run_id) const {
  auto it = runs_.find(task_run_id);
  if (it == runs_.end()) return std::nullopt;
  return it->second->view();
}

}  // namespace fakedb::streaming
