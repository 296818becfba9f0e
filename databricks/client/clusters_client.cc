#include "databricks/client/clusters_client.h"

#include <utility>

#include "databricks/client/errors.h"
#include "databricks/client/paginate.h"

namespace databricks {
std::string ClustersClient::path(std::string_view endpoint) const {
  return "/api/" + version_ + "/clusters/" + std::string(endpoint);
}

void ClustersClient::create(nlohmann::json spec, Reply<std::string> done) {
  api_.call(ApiRequest::post(path("create"), std::move(spec)),
            [done = std::move(done)](const ApiResponse& r) {
              if (!r.ok()) return done(error_of(r));
              done(r.body.value("cluster_id", std::string()));
            });
}

void ClustersClient::get(const std::string& cluster_id, Reply<Cluster> done) {
  api_.call(ApiRequest::get(path("get"), {{"cluster_id", cluster_id}}),
            [done = std::move(done)](const ApiResponse& r) {
              if (!r.ok()) return done(error_of(r));
              done(Cluster::from_json(r.body));
            });
}

void ClustersClient::list(Reply<std::vector<Cluster>> done) {
  list_all(api_, ApiRequest::get(path("list")), "clusters",
           [done = std::move(done)](const ListResult& r) {
             if (!r.ok()) return done(error_of(r));
             std::vector<Cluster> out;
             for (const auto& c : r.items) out.push_back(Cluster::from_json(c));
             done(std::move(out));
           });
}

void ClustersClient::post(std::string_view endpoint, const std::string& cluster_id,
                          Reply<Done> done) {
  api_.call(ApiRequest::post(path(endpoint), {{"cluster_id", cluster_id}}),
            [done = std::move(done)](const ApiResponse& r) {
              if (!r.ok()) return done(error_of(r));
              done(Done{});
            });
}

void ClustersClient::start(const std::string& cluster_id, Reply<Done> done) {
  post("start", cluster_id, std::move(done));
}
void ClustersClient::terminate(const std::string& cluster_id, Reply<Done> done) {
  post("delete", cluster_id, std::move(done));
}
void ClustersClient::permanent_delete(const std::string& cluster_id, Reply<Done> done) {
  post("permanent-delete", cluster_id, std::move(done));
}

}  // namespace databricks
