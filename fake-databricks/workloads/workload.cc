#include "fake-databricks/workloads/workload.h"

#include <algorithm>

#include "core/text/glob.h"

namespace fakedb::workloads {
namespace {

ApiError bad(const std::string& field, const std::string& what) {
  return ApiError::invalid_parameter(field + ": " + what);
}

}  // namespace

ApiResult<Model> Model::parse(const nlohmann::json& spec, const std::string& field) {
  if (!spec.is_object()) return bad(field, "expected an object");
  Model m;
  for (const auto& [key, v] : spec.items()) {
    const std::string f = field + "." + key;
    if (key == "kind") {
      if (v == "batch") {
        m.kind = Kind::batch;
      } else if (v == "streaming") {
        m.kind = Kind::streaming;
      } else if (v == "scripted") {
        m.kind = Kind::scripted;
      } else {
        return bad(f, "expected one of batch, streaming, scripted");
      }
    } else if (key == "duration_ms") {
      auto d = Distribution::parse(v, f);
      if (!d) return d.error();
      m.duration = *d;
    } else if (key == "failure_probability") {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) {
        return bad(f, "expected a number between 0 and 1");
      }
      m.failure_probability = v.get<double>();
    } else if (key == "fail_on_attempts") {
      if (!v.is_array()) return bad(f, "expected a list of attempt numbers");
      for (const auto& a : v) {
        if (!a.is_number_integer() || a.get<int>() < 0) return bad(f, "expected integers >= 0");
        m.fail_on_attempts.push_back(a.get<int>());
      }
    } else if (key == "hang") {
      if (!v.is_boolean()) return bad(f, "expected true or false");
      m.hang = v.get<bool>();
    } else if (key == "exit_at_ms") {
      if (!v.is_number_integer()) return bad(f, "expected an epoch time in milliseconds");
      m.exit_at_ms = v.get<std::int64_t>();
    } else if (key == "exit_fails") {
      if (!v.is_boolean()) return bad(f, "expected true or false");
      m.exit_fails = v.get<bool>();
    } else if (key == "rate") {
      if (!v.is_number() || v.get<double>() <= 0 || v.get<double>() > 1e7) {
        return bad(f, "expected positions per second, more than 0 and at most 10000000");
      }
      m.rate = v.get<double>();
    } else if (key == "startup_ms") {
      auto d = Distribution::parse(v, f);
      if (!d) return d.error();
      m.startup_ms = *d;
    } else if (key == "tick_ms") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1 ||
          v.get<std::int64_t>() > 3'600'000) {
        return bad(f, "expected an integer from 1 to 3600000 (milliseconds)");
      }
      m.tick_ms = v.get<std::int64_t>();
    } else if (key == "output" || key == "error") {
      if (!v.is_string()) return bad(f, "expected a string");
      (key == "output" ? m.output : m.error) = v.get<std::string>();
    } else {
      return bad(f,
                 "unknown field (expected kind, duration_ms, failure_probability, "
                 "fail_on_attempts, hang, exit_at_ms, exit_fails, output, error, rate, "
                 "startup_ms, tick_ms)");
    }
  }
  return m;
}

ApiResult<WorkloadCatalog> WorkloadCatalog::parse(const nlohmann::json& rules,
                                                  const std::string& field) {
  WorkloadCatalog catalog;
  if (!rules.is_array()) return bad(field, "expected a list of {match, model} rules");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    const auto& r = rules[i];
    if (!r.is_object() || !r.contains("model")) return bad(f, "expected {match, model}");
    Rule rule;
    for (const auto& [key, v] : r.items()) {
      if (key == "match") {
        if (!v.is_object()) return bad(f + ".match", "expected an object");
        for (const auto& [mk, mv] : v.items()) {
          if (!mv.is_string()) return bad(f + ".match." + mk, "expected a glob string");
          if (mk == "job") {
            rule.job = mv.get<std::string>();
          } else if (mk == "task") {
            rule.task = mv.get<std::string>();
          } else if (mk == "path") {
            rule.path = mv.get<std::string>();
          } else {
            return bad(f + ".match." + mk, "unknown field (expected job, task, path)");
          }
        }
      } else if (key == "model") {
        auto m = Model::parse(v, f + ".model");
        if (!m) return m.error();
        rule.model = *m;
      } else {
        return bad(f + "." + key, "unknown field (expected match, model)");
      }
    }
    catalog.add(std::move(rule));
  }
  return catalog;
}

const Model& WorkloadCatalog::model_for(const std::string& job_name, const std::string& task_key,
                                        const nlohmann::json& task) const {
  if (rules_.empty()) return default_;
  const std::string path = task_path(task);
  for (const auto& r : rules_) {
    if (kiln::core::glob_match(r.job, job_name) && kiln::core::glob_match(r.task, task_key) &&
        kiln::core::glob_match(r.path, path)) {
      return r.model;
    }
  }
  return default_;
}

std::string task_path(const nlohmann::json& task) {
  static const std::pair<const char*, const char*> kPaths[] = {
      {"notebook_task", "notebook_path"},    {"spark_python_task", "python_file"},
      {"spark_jar_task", "main_class_name"}, {"python_wheel_task", "entry_point"},
      {"pipeline_task", "pipeline_id"},
  };
  for (const auto& [type, field] : kPaths) {
    auto t = task.find(type);
    if (t != task.end() && t->is_object()) {
      auto p = t->find(field);
      if (p != t->end() && p->is_string()) return p->get<std::string>();
    }
  }
  return "";
}

Plan plan_attempt(const Model& model, int attempt_number, kiln::core::TimeMs now_ms,
                  kiln::core::Random& random) {
  Plan plan;
  plan.output = model.output;
  plan.error = model.error;
  switch (model.kind) {
    case Kind::streaming:
      return plan;
    case Kind::batch:
      plan.run_ms = model.duration.draw_ms(random);
      plan.fails = random.bernoulli(model.failure_probability);
      return plan;
    case Kind::scripted:
      if (model.hang) return plan;
      if (model.exit_at_ms) {
        plan.run_ms = std::max<kiln::core::DurationMs>(0, *model.exit_at_ms - now_ms);
        plan.fails = model.exit_fails;
        return plan;
      }
      plan.run_ms = model.duration.draw_ms(random);
      plan.fails = std::find(model.fail_on_attempts.begin(), model.fail_on_attempts.end(),
                             attempt_number) != model.fail_on_attempts.end();
      return plan;
  }
  return plan;
}

}  // namespace fakedb::workloads
