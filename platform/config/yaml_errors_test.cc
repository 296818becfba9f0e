// YAML-level problems: syntax, duplicate keys, documents, tags, numbers JSON cannot hold.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "platform/config/job_config.h"

using kiln::config::load_config_text;

namespace {

using Errors = std::vector<std::string>;

Errors errors(const std::string& text) {
  Errors out;
  for (const auto& d : load_config_text("dev.yaml", text).diagnostics) out.push_back(d.to_string());
  return out;
}

const char* const kValid =
    "kind: Job\nname: etl\ntarget: dev\ndeployVersion: 1\nsettings:\n"
    "  tasks:\n    - task_key: a\n      notebook_task: {notebook_path: /x}\n";

}  // namespace

TEST_CASE("invalid YAML is reported at the parser's position") {
  CHECK(errors("kind: Job\nname: [etl\n") ==
        Errors{"dev.yaml:3:1: invalid YAML: end of sequence flow not found"});
  const Errors bad_indent = errors("kind: Job\n  name: etl\n name: x\n");
  REQUIRE(bad_indent.size() == 1);
  CHECK_THAT(bad_indent[0], Catch::StartsWith("dev.yaml:2:7: invalid YAML: "));
}

TEST_CASE("a duplicate key is reported at the second key") {
  CHECK(errors(std::string(kValid) + "name: other\n") ==
        Errors{"dev.yaml:9:1: name: duplicate key 'name' (first at line 2); expected each key "
               "once"});
  CHECK(errors(std::string(kValid) + "      notebook_task: {notebook_path: /y}\n") ==
        Errors{"dev.yaml:9:7: settings.tasks[0].notebook_task: duplicate key 'notebook_task' "
               "(first at line 8); expected each key once"});
}

TEST_CASE("a second YAML document is an error") {
  CHECK(errors(std::string(kValid) + "---\nkind: Job\n") ==
        Errors{"dev.yaml:9:1: a second YAML document; expected exactly one document per file"});
}

TEST_CASE("an empty file is an error") {
  CHECK(errors("") == Errors{"dev.yaml:1:1: the file is empty; expected a mapping"});
  CHECK(errors("# only a comment\n") ==
        Errors{"dev.yaml:1:1: the file is empty; expected a mapping"});
}

TEST_CASE("a document that is not a mapping is an error") {
  CHECK(errors("- kind: Job\n") ==
        Errors{"dev.yaml:1:1: expected a mapping with kind: Job, got a sequence"});
  CHECK(errors("just text\n") ==
        Errors{"dev.yaml:1:1: expected a mapping with kind: Job, got a string ('just text')"});
}

TEST_CASE("an unsupported tag is an error") {
  CHECK(errors(std::string(kValid) + "owner: !secret x\n") ==
        Errors{"dev.yaml:9:8: owner: unsupported tag '!secret'; expected plain YAML (strings, "
               "numbers, booleans, null)"});
}

TEST_CASE("an integer beyond 64 bits is an error") {
  CHECK(errors(
            "kind: Job\nname: etl\ntarget: dev\ndeployVersion: 99999999999999999999\n"
            "settings:\n  tasks:\n    - task_key: a\n      notebook_task: {notebook_path: /x}\n") ==
        Errors{"dev.yaml:4:16: deployVersion: integer 99999999999999999999 is out of range "
               "(64-bit signed)"});
}

TEST_CASE("infinity and not-a-number are rejected") {
  CHECK(errors(std::string(kValid) + "owner: .inf\n") ==
        Errors{"dev.yaml:9:8: owner: '.inf' (infinity or not-a-number) has no JSON equivalent"});
}

TEST_CASE("a recursive alias is bounded") {
  const auto result =
      load_config_text("dev.yaml", std::string(kValid) + "owner: &loop [a, *loop]\n");
  REQUIRE_FALSE(result.ok());
  const auto& all = result.diagnostics;
  auto nested = std::find_if(all.begin(), all.end(), [](const auto& d) {
    return d.message == "nested more than 64 levels deep (a recursive alias?)";
  });
  REQUIRE(nested != all.end());
  const auto& first = *nested;
  CHECK(first.line == 9);
  CHECK_THAT(first.field, Catch::StartsWith("owner[1][1][1]"));
}

TEST_CASE("a non-scalar key is an error") {
  CHECK(errors(std::string(kValid) + "? [a, b]\n: c\n") ==
        Errors{"dev.yaml:9:3: a key must be a plain string, got a collection"});
}

TEST_CASE("a stray comma between nodes is an error and not a hang") {
  CHECK(errors(",\n") == Errors{"dev.yaml:1:1: invalid YAML: unexpected ','"});
  CHECK(errors("- a\n, b\n") == Errors{"dev.yaml:2:1: invalid YAML: unexpected ','"});
}

TEST_CASE("an empty value is located at its key") {
  CHECK(errors(std::string(kValid) + "owner:\n") ==
        Errors{"dev.yaml:9:1: owner: expected a non-empty string (who is notified), got null"});
}
