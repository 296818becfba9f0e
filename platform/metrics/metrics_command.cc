#include "platform/metrics/metrics_command.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <system_error>

#include "platform/artifacts/local_store.h"
#include "platform/metrics/db_collector.h"
#include "platform/metrics/exposition.h"
#include "platform/store/sqlite_store.h"

namespace kiln::metrics {

int run_metrics_command(const std::string& db_path, const std::string& store_dir, std::ostream& out,
                        std::ostream& err) {
  std::error_code ec;
  if (db_path != ":memory:" && !std::filesystem::exists(db_path, ec)) {
    err << "kiln metrics: no metadata DB at " << db_path << "\n";
    return 2;
  }
  auto db = store::open_sqlite_store(db_path);
  if (!db) {
    err << "kiln metrics: " << db_path << ": " << db.error().describe() << "\n";
    return 2;
  }
  std::unique_ptr<artifacts::ArtifactStore> artifacts;
  if (!store_dir.empty()) {
    if (!std::filesystem::is_directory(store_dir, ec)) {
      err << "kiln metrics: no artifact store at " << store_dir << "\n";
      return 2;
    }
    auto opened = artifacts::open_local_store(store_dir);
    if (!opened) {
      err << "kiln metrics: " << store_dir << ": " << opened.error().message << "\n";
      return 2;
    }
    artifacts = std::move(opened).value();
  }
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  Registry registry;
  const auto errors = collect_from_db(**db, artifacts.get(), now_ms, registry);
  out << render_prometheus(registry);
  for (const auto& e : errors) err << "kiln metrics: " << e << "\n";
  return errors.empty() ? 0 : 1;
}

}  // namespace kiln::metrics
