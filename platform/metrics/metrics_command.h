// `kiln metrics`: the metrics the metadata DB and the artifact store hold, printed once in the
// Prometheus text format (for a textfile collector, a cron job, or a person). Read-only: it
// creates neither the DB nor the store.
#pragma once

#include <ostream>
#include <string>

namespace kiln::metrics {

// Prints collect_from_db() of the DB at `db_path` and, unless `store_dir` is empty, the local
// artifact store there, with the wall clock as now. Exit code: 0 printed; 1 printed, but a read
// failed (named on `err`, and kiln_metrics_source_up is 0); 2 the DB or the store cannot be
// opened (nothing printed).
int run_metrics_command(const std::string& db_path, const std::string& store_dir, std::ostream& out,
                        std::ostream& err);

}  // namespace kiln::metrics
