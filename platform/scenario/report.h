// The HTML report of a scenario run: one self-contained file (inline CSS and SVG, no script, no
// resource from elsewhere) a person reads at a glance: a summary with the verdicts and how to
// replay the run; an SVG timeline with a lane per job version (its runs coloured by state, its
// deployments' phases, bands such as which version's settings the job holds), the builds,
// merges, deploys by hand, faults and kiln's crashes as marks on one time axis, and each
// expectation where it was decided; then tables of the expectations and the deployments.
// Tooltips (SVG <title>) carry the details.
#pragma once

#include <ostream>

#include "platform/scenario/runner.h"
#include "platform/scenario/scenario.h"

namespace kiln::scenario {

// `result` must come from run_scenario with keep_events. The report is a pure function of
// (scenario, result): the same result gives the same bytes. Of two runs of the same file and
// seed, only the wall time differs.
void write_report(const Scenario& scenario, const RunResult& result, std::ostream& out);

}  // namespace kiln::scenario
