// Test helpers for the metrics tests (not part of kiln_metrics): a line-grammar check of the
// Prometheus text format 0.0.4, independent of the code that writes it.
#pragma once

#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace kiln::metrics::testing {

// Every way `text` breaks the text format, as "line N: what" (empty if none): each line is a
// `# HELP name text`, a `# TYPE name counter|gauge|histogram|summary|untyped`, or a sample
// `name{label="value",...} value` with escapes only \\ \" \n; a family's TYPE comes before its
// samples and at most once; a family's lines are contiguous; a histogram's samples are _bucket
// (with an le label), _sum or _count, its buckets cumulative and ending at le="+Inf" equal to
// _count; the text ends with a newline.
inline std::vector<std::string> format_problems(const std::string& text) {
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*))");
  static const std::regex kType(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([-+]?(Inf|NaN|[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|\.[0-9]+([eE][-+]?[0-9]+)?)))");
  static const std::regex kLabel(R"(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)\"(,|$))");
  std::vector<std::string> problems;
  if (!text.empty() && text.back() != '\n') problems.push_back("the text does not end in \\n");
  std::map<std::string, std::string> types;
  std::set<std::string> closed;  // families whose lines have ended
  std::string current;
  std::map<std::string, double> last_bucket;  // per histogram series (labels without le)
  std::map<std::string, double> inf_bucket;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  auto problem = [&](const std::string& what) {
    problems.push_back("line " + std::to_string(n) + ": " + what + ": " + line);
  };
  auto enter = [&](const std::string& family) {
    if (family == current) return;
    if (closed.contains(family)) problem("family " + family + " is not contiguous");
    if (!current.empty()) closed.insert(current);
    current = family;
  };
  while (std::getline(in, line)) {
    ++n;
    std::smatch m;
    if (std::regex_match(line, m, kHelp)) {
      enter(m[1]);
    } else if (std::regex_match(line, m, kType)) {
      enter(m[1]);
      if (types.contains(m[1])) problem("a second TYPE");
      types[m[1]] = m[2];
    } else if (std::regex_match(line, m, kSample)) {
      std::string name = m[1];
      std::string family = name;
      std::string suffix;
      for (const char* s : {"_bucket", "_sum", "_count"}) {
        const std::string sfx = s;
        if (name.size() > sfx.size() && name.ends_with(sfx) &&
            types[name.substr(0, name.size() - sfx.size())] == "histogram") {
          family = name.substr(0, name.size() - sfx.size());
          suffix = sfx;
        }
      }
      enter(family);
      if (!types.contains(family)) problem("a sample before its TYPE");
      if (types[family] == "histogram" && suffix.empty()) problem("a bare histogram sample");
      std::string labels = m[3];
      std::string without_le;
      std::string le;
      for (std::string rest = labels; !rest.empty();) {
        std::smatch lm;
        if (!std::regex_search(rest, lm, kLabel, std::regex_constants::match_continuous)) {
          problem("bad labels");
          break;
        }
        if (lm[1] == "le") {
          le = lm[2];
        } else {
          without_le += lm[0].str();
        }
        rest = lm.suffix();
      }
      const std::string value_text = m[4];
      const double value = value_text.find("Inf") != std::string::npos
                               ? (value_text[0] == '-' ? -1e308 : 1e308)
                               : std::strtod(value_text.c_str(), nullptr);
      if (without_le.ends_with(',')) without_le.pop_back();
      const std::string series = family + "{" + without_le + "}";
      if (suffix == "_bucket") {
        if (le.empty()) problem("a bucket without le");
        if (last_bucket.contains(series) && value < last_bucket[series]) {
          problem("buckets are not cumulative");
        }
        last_bucket[series] = value;
        if (le == "+Inf") inf_bucket[series] = value;
      } else if (suffix == "_count") {
        if (!inf_bucket.contains(series) || inf_bucket[series] != value) {
          problem("_count differs from the +Inf bucket, or there is none");
        }
      }
    } else {
      problem("not a HELP, TYPE or sample line");
    }
  }
  return problems;
}

}  // namespace kiln::metrics::testing
