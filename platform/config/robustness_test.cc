// Malformed input of every kind gives diagnostics, never an exception or a crash.
#include <catch2/catch.hpp>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "platform/config/job_config.h"

using kiln::config::load_config_text;
using kiln::config::LoadResult;

namespace {

const std::string kRich =
    "kind: Job\n"
    "name: etl\n"
    "target: production\n"
    "deployVersion: 4\n"
    "strategy: blue-green\n"
    "healthSeconds: 120\n"
    "owner: data@example.com\n"
    "settings:\n"
    "  max_concurrent_runs: 1\n"
    "  tags: {team: data}\n"
    "  schedule:\n"
    "    quartz_cron_expression: 0 0 6 * * ?\n"
    "    timezone_id: UTC\n"
    "  job_clusters:\n"
    "    - job_cluster_key: c\n"
    "      new_cluster: {spark_version: 15.4.x, node_type_id: i3.xlarge, num_workers: 2}\n"
    "  tasks:\n"
    "    - task_key: a\n"
    "      job_cluster_key: c\n"
    "      max_retries: 2\n"
    "      spark_python_task: {python_file: /Workspace/a.py, parameters: [x, y]}\n"
    "    - task_key: b\n"
    "      depends_on:\n"
    "        - task_key: a\n"
    "      notebook_task:\n"
    "        notebook_path: /Shared/b\n"
    "        base_parameters: {k: v}\n";

// A tiny deterministic generator (splitmix64), so a failure replays.
struct Bytes {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
};

// Every diagnostic points inside the text (or at its start), and a failure is never silent.
void check_sane(const LoadResult& result, const std::string& text) {
  const auto lines = 2 + std::count(text.begin(), text.end(), '\n');
  for (const auto& d : result.diagnostics) {
    CHECK(d.file == "x.yaml");
    CHECK(d.line >= 1);
    CHECK(d.line <= lines);
    CHECK(d.column >= 1);
    CHECK_FALSE(d.message.empty());
  }
  CHECK(result.ok() == !result.folders.empty());
}

}  // namespace

TEST_CASE("the rich config used for fuzzing is valid") {
  const auto result = load_config_text("x.yaml", kRich);
  INFO((result.diagnostics.empty() ? "" : result.diagnostics[0].to_string()));
  CHECK(result.ok());
}

TEST_CASE("random bytes never throw") {
  Bytes random{42};
  for (int i = 0; i < 300; ++i) {
    std::string text(random.next() % 200, '\0');
    for (char& c : text) c = static_cast<char>(random.next() & 0xFF);
    LoadResult result;
    REQUIRE_NOTHROW(result = load_config_text("x.yaml", text));
    CHECK_FALSE(result.ok());
  }
}

TEST_CASE("random edits of a valid config never throw") {
  Bytes random{7};
  const std::string alphabet = "{}[]:-,'\"&*!|>#?% \n\t\\abc019.";
  for (int i = 0; i < 500; ++i) {
    std::string text = kRich;
    for (int edits = 0; edits < 3; ++edits) {
      text[random.next() % text.size()] = alphabet[random.next() % alphabet.size()];
    }
    LoadResult result;
    REQUIRE_NOTHROW(result = load_config_text("x.yaml", text));
    check_sane(result, text);
  }
}

TEST_CASE("every truncation of a valid config never throws") {
  for (std::size_t n = 0; n < kRich.size(); ++n) {
    const std::string text = kRich.substr(0, n);
    LoadResult result;
    REQUIRE_NOTHROW(result = load_config_text("x.yaml", text));
    check_sane(result, text);
  }
}

TEST_CASE("every value replaced by a wrong type gives diagnostics not exceptions") {
  const std::vector<std::string> replacements = {"~",           "[]",
                                                 "{}",          "'str'",
                                                 "1.5",         "-7",
                                                 "true",        "[1, {a: [b]}]",
                                                 "{x: {y: ~}}", "99999999999999999999999",
                                                 ".nan",        "!!int x",
                                                 "&a [*a]"};
  std::istringstream in(kRich);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  int rejected = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t colon = lines[i].find(": ");
    const std::size_t dash = lines[i].find("- ");
    const std::size_t cut = colon != std::string::npos ? colon + 2 : dash + 2;
    if (colon == std::string::npos && dash == std::string::npos) continue;
    for (const std::string& replacement : replacements) {
      std::string text;
      for (std::size_t j = 0; j < lines.size(); ++j) {
        text += (j == i ? lines[j].substr(0, cut) + replacement : lines[j]) + "\n";
      }
      LoadResult result;
      REQUIRE_NOTHROW(result = load_config_text("x.yaml", text));
      check_sane(result, text);
      rejected += result.ok() ? 0 : 1;
    }
  }
  CHECK(rejected > 200);
}
