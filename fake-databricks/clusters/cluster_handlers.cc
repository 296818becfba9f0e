// REST handlers that change clusters: create, edit, update, start, restart, resize, delete,
// permanent-delete, pin and unpin.
#include <utility>

#include "fake-databricks/clusters/cluster_record.h"
#include "fake-databricks/clusters/cluster_service.h"

namespace fakedb::clusters {

using detail::Cluster;
using detail::State;

namespace {
ApiError unexpected_state(const Cluster& c) {
  return ApiError::invalid_state("Cluster " + c.id + " is in unexpected state " +
                                 std::string(detail::state_title(c.state)) + ".");
}

ApiError job_cluster_refused(const Cluster& c, std::string_view verb) {
  return ApiError::invalid_parameter("Cluster " + c.id +
                                     " was created by the Jobs service and cannot be " +
                                     std::string(verb) + ".");
}

const nlohmann::json kEmpty = nlohmann::json::object();
}  // namespace

ApiResult<nlohmann::json> ClusterService::create(const Params& params) {
  auto spec = detail::parse_spec(params.json(), false, ctx_.user_name);
  if (!spec) return spec.error();
  Cluster& c = add_cluster(std::move(spec).value(), "API");
  add_event(c, "CREATING", {{"user", ctx_.user_name}});
  begin_launch(c, Launch::kCreate);
  return nlohmann::json{{"cluster_id", c.id}};
}

ApiResult<nlohmann::json> ClusterService::apply_edit(Cluster& c, const nlohmann::json& new_spec) {
  if (c.source == "JOB") return job_cluster_refused(c, "edited");
  if (c.state != State::kRunning && c.state != State::kTerminated) return unexpected_state(c);
  auto spec = detail::parse_spec(new_spec, false, ctx_.user_name);
  if (!spec) return spec.error();
  nlohmann::json previous = c.spec.raw;
  c.spec = std::move(spec).value();
  add_event(c, "EDITED",
            {{"previous_attributes", std::move(previous)},
             {"attributes", c.spec.raw},
             {"user", ctx_.user_name}});
  if (c.state == State::kRunning) {
    transition(c, State::kRestarting);
    add_event(c, "RESTARTING", {{"user", ctx_.user_name}});
    begin_launch(c, Launch::kRestart);
  }
  return kEmpty;
}

ApiResult<nlohmann::json> ClusterService::edit(const Params& params) {
  auto c = require(params);
  if (!c) return c.error();
  nlohmann::json spec = params.json();
  spec.erase("cluster_id");
  return apply_edit(**c, spec);
}

ApiResult<nlohmann::json> ClusterService::update(const Params& params) {
  auto c = require(params);
  if (!c) return c.error();
  auto mask = params.required_string("update_mask");
  if (!mask) return mask.error();
  auto cluster = params.object("cluster");
  if (!cluster) return cluster.error();
  const nlohmann::json fields =
      cluster->has_value() ? (*cluster)->json() : nlohmann::json::object();
  nlohmann::json spec = (*c)->spec.raw;
  if (*mask == "*") {
    spec = fields;
  } else {
    std::size_t start = 0;
    while (start <= mask->size()) {
      std::size_t comma = mask->find(',', start);
      if (comma == std::string::npos) comma = mask->size();
      std::string path = mask->substr(start, comma - start);
      while (!path.empty() && path.front() == ' ') path.erase(0, 1);
      while (!path.empty() && path.back() == ' ') path.pop_back();
      const std::string top = path.substr(0, path.find('.'));
      if (top.empty()) return ApiError::invalid_parameter("update_mask: empty field path.");
      if (fields.contains(top)) {
        spec[top] = fields[top];
      } else {
        spec.erase(top);
      }
      start = comma + 1;
    }
  }
  spec.erase("cluster_id");
  return apply_edit(**c, spec);
}

ApiResult<nlohmann::json> ClusterService::start(const Params& params) {
  auto c = require(params);
  if (!c) return c.error();
  if ((*c)->source == "JOB") return job_cluster_refused(**c, "started");
  if ((*c)->state != State::kTerminated) return unexpected_state(**c);
  start_terminated(**c);
  return kEmpty;
}

ApiResult<nlohmann::json> ClusterService::restart(const Params& params) {
  auto c = require(params);
  if (!c) return c.error();
  if (auto user = params.string("restart_user"); !user) return user.error();
  if ((*c)->state != State::kRunning) return unexpected_state(**c);
  transition(**c, State::kRestarting);
  add_event(**c, "RESTARTING", {{"user", ctx_.user_name}});
  begin_launch(**c, Launch::kRestart);
  return kEmpty;
}

ApiResult<nlohmann::json> ClusterService::resize(const Params& params) {
  auto found = require(params);
  if (!found) return found.error();
  Cluster& c = **found;
  detail::Spec next = c.spec;
  auto size = detail::parse_size(params.json(), next);
  if (!size) return size.error();
  if (c.state != State::kRunning) return unexpected_state(c);
  c.spec = std::move(next);
  transition(c, State::kResizing);
  add_event(c, "RESIZING",
            {{"current_num_workers", c.current_workers},
             {"target_num_workers", c.spec.initial_workers()},
             {"user", ctx_.user_name}});
  schedule(c, draw(timings_.resize_min_ms, timings_.resize_max_ms), &ClusterService::resize_done);
  return kEmpty;
}

ApiResult<nlohmann::json> ClusterService::terminate(const Params& params) {
  auto c = require(params);
  if (!c) return c.error();
  if (!detail::is_active((*c)->state)) return kEmpty;
  begin_terminate(**c, {"USER_REQUEST", "SUCCESS", {{"username", ctx_.user_name}}});
  return kEmpty;
}

ApiResult<nlohmann::json> ClusterService::permanent_delete(const Params& params) {
  auto c = require(params);
  if (!c) return c.error();
  const std::string id = (*c)->id;
  if (detail::is_active((*c)->state)) {
    begin_terminate(**c, {"USER_REQUEST", "SUCCESS", {{"username", ctx_.user_name}}});
  }
  if ((*c)->state == State::kTerminating) {
    cancel_timers(**c);
    terminate_done(id);  // may run callbacks that touch the service; look the cluster up again
  }
  if (auto it = clusters_.find(id); it != clusters_.end()) {
    cancel_timers(*it->second);
    clusters_.erase(it);
  }
  return kEmpty;
}

ApiResult<nlohmann::json> ClusterService::pin(const Params& params) {
  auto c = require(params);
  if (!c) return c.error();
  if (!(*c)->pinned) {
    (*c)->pinned = true;
    add_event(**c, "PINNED", {{"user", ctx_.user_name}});
  }
  return kEmpty;
}

ApiResult<nlohmann::json> ClusterService::unpin(const Params& params) {
  auto c = require(params);
  if (!c) return c.error();
  if ((*c)->pinned) {
    (*c)->pinned = false;
    add_event(**c, "UNPINNED", {{"user", ctx_.user_name}});
  }
  return kEmpty;
}

}  // namespace fakedb::clusters
