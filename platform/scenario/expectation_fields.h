// Internal to the scenario loader: the `expect` section (docs/scenarios.md#expectations): when
// each expectation is checked (at, eventually, always, end), its predicate or invariant, and
// each predicate's arguments. Every problem is a diagnostic at file:line:column naming the
// field.
#pragma once

#include <string>
#include <vector>

#include "platform/scenario/field_reader.h"
#include "platform/scenario/scenario.h"

namespace kiln::scenario::detail {

std::vector<Expectation> read_expectations(FieldReader& r, const Scenario& s);

// The repo has job `name` (or a glob of names) on `target`.
bool known_job(const Scenario& s, const std::string& name, const std::string& target);

}  // namespace kiln::scenario::detail
