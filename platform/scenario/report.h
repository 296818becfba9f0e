// The HTML report of a scenario run: one self-contained file (inline CSS and SVG, no script
// from elsewhere) a person reads at a glance: a summary with the verdicts, and an SVG timeline
// with a lane per job version (its runs and their states, the deploy phases), the builds, the
// faults and kiln's crashes as marks on the time axis, and each expectation where it was decided.
#pragma once

#include <ostream>

#include "platform/scenario/runner.h"
#include "platform/scenario/scenario.h"

namespace kiln::scenario {

// `result` must come from run_scenario with keep_events.
void write_report(const Scenario& scenario, const RunResult& result, std::ostream& out);

}  // namespace kiln::scenario
