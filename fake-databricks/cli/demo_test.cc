// Determinism: the same seed gives the same bytes; another seed another world.
#include "fake-databricks/cli/demo.h"

#include <catch2/catch.hpp>
#include <sstream>

namespace {
std::string demo_output(std::uint64_t seed) {
  std::ostringstream out;
  fakedb::cli::DemoOptions o;
  o.seed = seed;
  o.hours = 6;
  REQUIRE(fakedb::cli::run_demo(o, out) == 0);
  return out.str();
}
std::string fingerprint(const std::string& output) {
  const auto at = output.find("Trace fingerprint");
  REQUIRE(at != std::string::npos);
  return output.substr(at);
}
}  // namespace

TEST_CASE("the same seed gives a byte-identical run and trace fingerprint") {
  const std::string a = demo_output(42);
  const std::string b = demo_output(42);
  CHECK(a == b);
  CHECK(fingerprint(a) == fingerprint(b));
}

TEST_CASE("a different seed gives a different trace fingerprint") {
  CHECK(fingerprint(demo_output(42)) != fingerprint(demo_output(43)));
}
