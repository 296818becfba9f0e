// Workload models: what a task does once its compute is up. A model is chosen per task by the
// first matching rule (job name, task key, task file/path globs), else the default model.
//
//   batch:     runs for a drawn duration, then fails with failure_probability.
//   streaming: never ends by itself (cancel, timeout or a fault ends it). If its job names a
//              stream (the kiln_stream job parameter), it also processes that stream and writes
//              its outputs under the writer lock (fake-databricks/streaming/, `rate`,
//              `startup_ms`, `tick_ms`).
//   scripted:  fails on the listed attempt numbers, or hangs, or exits at a fixed virtual time.
//
// Config (JSON; YAML in scenarios):
//   {"match": {"job": "etl-*", "task": "*", "path": "*/stream_*.py"},
//    "model": {"kind": "batch", "duration_ms": {"lognormal": [60000, 0.5]},
//              "failure_probability": 0.1, "output": "ok"}}
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock/clock.h"
#include "core/random/random.h"
#include "fake-databricks/api/params.h"
#include "fake-databricks/workloads/distribution.h"

namespace fakedb::workloads {

enum class Kind { batch, streaming, scripted };

struct Model {
  Kind kind = Kind::batch;
  // The default model: a batch task of about a minute (median 60 s, most within 30-120 s).
  Distribution duration = {Distribution::Kind::lognormal, 60'000, 0.35};
  double failure_probability = 0;
  std::vector<int> fail_on_attempts;             // scripted: attempt numbers (0 = first) that fail
  bool hang = false;                             // scripted: never ends by itself
  std::optional<kiln::core::TimeMs> exit_at_ms;  // scripted: ends at this virtual time
  bool exit_fails = false;                       // scripted: whether exit_at_ms ends in failure
  std::string output;                            // notebook result / log text on success
  std::string error = "Workload failed, see run output for details";
  // streaming, with a stream: positions it can process per second (1.5x the default source
  // rate of 100/s, so it catches up unless told otherwise), the time from RUNNING until it has
  // read the checkpoint, and how often it processes a micro-batch and talks to the lock.
  double rate = 150;
  Distribution startup_ms = Distribution::uniform(10'000, 30'000);
  kiln::core::DurationMs tick_ms = 1'000;

  static ApiResult<Model> parse(const nlohmann::json& spec, const std::string& field);
};

struct Rule {
  std::string job = "*";
  std::string task = "*";
  std::string path = "*";
  Model model;
};

// What one task attempt will do, decided when it starts running.
struct Plan {
  std::optional<kiln::core::DurationMs> run_ms;  // nullopt: runs until stopped
  bool fails = false;
  std::string output;
  std::string error;
};

class WorkloadCatalog {
 public:
  // Parses a list of rules; errors name the rule index and field.
  static ApiResult<WorkloadCatalog> parse(const nlohmann::json& rules, const std::string& field);
  void add(Rule rule) { rules_.push_back(std::move(rule)); }
  void set_default(Model model) { default_ = std::move(model); }

  // The first rule whose globs all match, else the default model.
  const Model& model_for(const std::string& job_name, const std::string& task_key,
                         const nlohmann::json& task) const;

 private:
  std::vector<Rule> rules_;
  Model default_;
};

// The file or path a task runs (notebook_path, python_file, main class, ...), or "".
std::string task_path(const nlohmann::json& task);

Plan plan_attempt(const Model& model, int attempt_number, kiln::core::TimeMs now_ms,
                  kiln::core::Random& random);

}  // namespace fakedb::workloads
