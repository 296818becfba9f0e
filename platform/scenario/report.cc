#include "platform/scenario/report.h"

namespace kiln::scenario {

namespace {
std::string escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}
}  // namespace

void write_report(const Scenario& scenario, const RunResult& result, std::ostream& out) {
  out << "<!doctype html><meta charset=utf-8><title>" << escape(scenario.name) << "</title>\n<h1>"
      << escape(scenario.name) << "</h1>\n<p>" << escape(scenario.description) << "</p>\n<ul>\n";
  for (const auto& v : result.verdicts) {
    out << "<li>" << (v.holds ? "PASS" : "FAIL") << " "
        << escape(scenario.expectations[v.index].describe()) << ": " << escape(v.observed)
        << "</li>\n";
  }
  out << "</ul>\n";
}

}  // namespace kiln::scenario
