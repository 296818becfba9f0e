#include "platform/store/records.h"

#include <array>

namespace kiln::store {
namespace {

// Indexed by the enumerator's value; the same strings the schema CHECKs.
constexpr std::array<std::string_view, 3> kBuildStatus = {"running", "succeeded", "failed"};
constexpr std::array<std::string_view, 2> kStrategy = {"simple", "blue-green"};
constexpr std::array<std::string_view, 4> kJobState = {"deploying", "deployed", "failed",
                                                       "removed"};
constexpr std::array<std::string_view, 6> kDeploymentStatus = {"queued", "running", "succeeded",
                                                               "failed", "aborted", "superseded"};
constexpr std::array<std::string_view, 4> kPhaseOutcome = {"running", "succeeded", "failed",
                                                           "skipped"};
constexpr std::array<std::string_view, 3> kWorkflowStatus = {"open", "done", "failed"};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, Enum value) {
  const auto index = static_cast<std::size_t>(value);
  return index < N ? names[index] : std::string_view("?");
}

template <class Enum, std::size_t N>
std::optional<Enum> parse(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(BuildStatus value) {
  return name_of(kBuildStatus, value);
}
std::string_view to_string(Strategy value) {
  return name_of(kStrategy, value);
}
std::string_view to_string(JobState value) {
  return name_of(kJobState, value);
}
std::string_view to_string(DeploymentStatus value) {
  return name_of(kDeploymentStatus, value);
}
std::string_view to_string(PhaseOutcome value) {
  return name_of(kPhaseOutcome, value);
}
std::string_view to_string(WorkflowStatus value) {
  return name_of(kWorkflowStatus, value);
}

template <>
std::optional<BuildStatus> enum_from_string(std::string_view text) {
  return parse<BuildStatus>(kBuildStatus, text);
}
template <>
std::optional<Strategy> enum_from_string(std::string_view text) {
  return parse<Strategy>(kStrategy, text);
}
template <>
std::optional<JobState> enum_from_string(std::string_view text) {
  return parse<JobState>(kJobState, text);
}
template <>
std::optional<DeploymentStatus> enum_from_string(std::string_view text) {
  return parse<DeploymentStatus>(kDeploymentStatus, text);
}
template <>
std::optional<PhaseOutcome> enum_from_string(std::string_view text) {
  return parse<PhaseOutcome>(kPhaseOutcome, text);
}
template <>
std::optional<WorkflowStatus> enum_from_string(std::string_view text) {
  return parse<WorkflowStatus>(kWorkflowStatus, text);
}

}  // namespace kiln::store
