// ClustersClient: the Clusters API as typed calls over any WorkspaceApi, as JobsClient is for
// the Jobs API (see jobs_client.h for the conventions: one path per call, answers in the model's
// types, failures as the service's ApiError, every `done` once on the loop).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "databricks/client/jobs_client.h"
#include "databricks/model/clusters.h"

namespace databricks {

class ClustersClient {
 public:
  // `api` must outlive the client. `api_version` is "2.0" or "2.1".
  explicit ClustersClient(WorkspaceApi& api, std::string api_version = "2.1")
      : api_(api), version_(std::move(api_version)) {}

  // "/api/2.1/clusters/<endpoint>".
  std::string path(std::string_view endpoint) const;

  void create(nlohmann::json spec, Reply<std::string> done);  // answers the cluster_id
  void get(const std::string& cluster_id, Reply<Cluster> done);
  void list(Reply<std::vector<Cluster>> done);  // every page
  void start(const std::string& cluster_id, Reply<Done> done);
  void terminate(const std::string& cluster_id, Reply<Done> done);  // clusters/delete
  void permanent_delete(const std::string& cluster_id, Reply<Done> done);

 private:
  void post(std::string_view endpoint, const std::string& cluster_id, Reply<Done> done);

  WorkspaceApi& api_;
  std::string version_;
};

}  // namespace databricks
