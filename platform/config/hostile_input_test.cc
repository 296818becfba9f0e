// Files yaml-cpp accepts but kiln must not: a quote left open, a line without ':', bytes that are
// not UTF-8, control characters; diagnostics that would print raw keys; and a file of 20,000
// unknown keys (validate must stay linear: every key located without scanning the mapping).
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "platform/config/diagnostic.h"
#include "platform/config/job_config.h"

using kiln::config::escape_text;
using kiln::config::load_config_text;

namespace {

using Errors = std::vector<std::string>;

Errors errors(const std::string& text) {
  Errors out;
  for (const auto& d : load_config_text("dev.yaml", text).diagnostics) out.push_back(d.to_string());
  return out;
}

const std::string kHead = "kind: Job\nname: etl\ntarget: dev\ndeployVersion: 1\n";
const std::string kValid =
    kHead +
    "settings:\n"
    "  tasks:\n    - task_key: a\n      notebook_task: {notebook_path: /x}\n";

}  // namespace

TEST_CASE("a quote never closed is an error at the quote, not the rest of the file swallowed") {
  // yaml-cpp reads to the end of the file: the schedule would silently disappear.
  const std::string text = kValid +
                           "  description: \"nightly\n"
                           "  schedule:\n"
                           "    quartz_cron_expression: 0 0 6 * * ?\n"
                           "    timezone_id: UTC\n";
  CHECK(errors(text) == Errors{"dev.yaml:9:16: the quote (\") opened here is never closed (it "
                               "would swallow the rest of the file); expected a closing \""});
  const Errors single = errors(kHead + "owner: 'data\nsettings: {}\n");
  REQUIRE(single.size() == 1);
  CHECK_THAT(single[0], Catch::StartsWith("dev.yaml:5:8: the quote (') opened here"));
  // Closed quotes, escaped quotes and multi-line quoted strings are fine.
  CHECK(errors(kValid + "  description: \"a \\\"b\\\" c\"\n  tags: {q: 'it''s', m: \"x\n    y\"}\n")
            .empty());
}

TEST_CASE("a line without a colon in a mapping is an error, not a key with no value") {
  CHECK(errors(kValid + "  schedule\n") ==
        Errors{"dev.yaml:9:3: a line without ':' ('schedule' would become a key with no value); "
               "expected 'key: value'"});
  CHECK(errors(kValid + "oops\n").size() == 1);
  // `key:` with nothing after it, an explicit `? key` and flow mappings keep their meaning.
  auto colon_errors = [](const std::string& text) {
    int n = 0;
    for (const auto& e : errors(text)) n += e.find("without ':'") != std::string::npos ? 1 : 0;
    return n;
  };
  CHECK(colon_errors(kValid + "  description:\n") == 0);
  CHECK(colon_errors(kValid + "  tags: {a, b: 1}\n") == 0);
  CHECK(colon_errors(kHead + "? owner\n: x@example.com\nsettings: {}\n") == 0);
  CHECK(colon_errors(kHead + "owner: x  # a comment: here\nsettings: {}\n") == 0);
  // Two such lines are a syntax error yaml-cpp reports itself.
  CHECK_FALSE(errors(kValid + "oops\nmore\n").empty());
}

TEST_CASE("bytes that are not UTF-8 and control characters are refused at their position") {
  CHECK(errors(kValid + "  description: caf\xe9!\n") ==
        Errors{"dev.yaml:9:19: byte \\xe9 is not UTF-8; expected a UTF-8 file"});
  CHECK(errors(kValid + "  description: a\x1b[31mred\n") ==
        Errors{"dev.yaml:9:17: a control character (\\x1b) is not allowed in YAML; expected "
               "printable text (write \\t or \\n in a double-quoted string)"});
  // An escape in a double-quoted string makes one too: refused in the value.
  CHECK(errors(kValid + "  description: \"a\\e[31mred\"\n") ==
        Errors{"dev.yaml:9:16: settings.description: holds a control character (\\x1b); "
               "expected printable text"});
  // Tabs and newlines in values are text; UTF-8 and a byte order mark are fine.
  CHECK(errors("\xef\xbb\xbf" + kValid + "  description: \"caf\xc3\xa9\\tb\\nc\"\n").empty());
}

TEST_CASE("a byte order mark is allowed at the start only") {
  const Errors got = errors(kValid +
                            "  description: a\xef\xbb\xbf"
                            "b\n");
  REQUIRE(got.size() == 1);
  CHECK(got[0].rfind("dev.yaml:9:", 0) == 0);
}

TEST_CASE("diagnostics never print a raw key: newlines and escapes are escaped") {
  const Errors got = errors(kValid + "\"a\\nb.yaml:1:1: forged\": 1\n\"\\e]0;x\\a\": 2\n");
  for (const auto& line : got) {
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('\x1b') == std::string::npos);
  }
  CHECK(got == Errors{"dev.yaml:9:1: a\\nb.yaml:1:1: forged: a key holds a control character "
                      "(\\n); expected printable text",
                      "dev.yaml:10:1: \\x1b]0;x\\x07: a key holds a control character (\\x1b); "
                      "expected printable text"});
  CHECK(escape_text("ok é\t\r\n\x7f\xc2\x9b\xff") == "ok é\\t\\r\\n\\x7f\\u009b\\xff");
}

TEST_CASE("20,000 unknown keys: each reported at its line, in one pass") {
  std::string text = kValid;
  constexpr int kKeys = 20'000;
  char line[32];
  for (int i = 0; i < kKeys; ++i) {
    std::snprintf(line, sizeof line, "zz%05d: %d\n", i, i);
    text += line;
  }
  const auto result = load_config_text("dev.yaml", text);
  REQUIRE(result.diagnostics.size() == kKeys);
  CHECK(result.diagnostics.front().to_string() ==
        "dev.yaml:9:1: zz00000: unknown key 'zz00000'; expected one of: kind, name, target, "
        "deployVersion, strategy, healthSeconds, stream, owner, onDrift, settings");
  CHECK(result.diagnostics.back().line == 8 + kKeys);
  CHECK(result.diagnostics.back().field == "zz19999");
}

TEST_CASE("aliases repeating a long string are bounded by bytes, not only by nodes") {
  std::string text = kHead + "owner: &o \"" + std::string(std::size_t{1} << 20, 'a') +
                     "\"\nsettings:\n  description: [*o";
  for (int i = 0; i < 99; ++i) text += ", *o";
  text += "]\n";
  bool bounded = false;
  for (const auto& e : errors(text)) {
    bounded =
        bounded || e.find("more than 64 MiB of text once aliases expand") != std::string::npos;
  }
  CHECK(bounded);
}
