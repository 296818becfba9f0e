#include "core/random/random.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

using kiln::core::Random;

TEST_CASE("the same seed gives the same draws pinned to known values") {
  Random a(42), b(42);
  for (int i = 0; i < 100; ++i) REQUIRE(a.next_u64() == b.next_u64());
  // Pinned: a change of generator or seeding would silently change every scenario's trace.
  Random c(1);
  CHECK(c.next_u64() == 0xb3f2af6d0fc710c5ULL);
}

TEST_CASE("named streams are independent of draws in other streams") {
  Random root(7);
  Random runs_a = root.stream("runs");
  Random clusters = root.stream("clusters");
  for (int i = 0; i < 10; ++i) clusters.next_u64();  // another component draws more
  Random runs_b = Random(7).stream("runs");
  for (int i = 0; i < 20; ++i) REQUIRE(runs_a.next_u64() == runs_b.next_u64());
  CHECK(Random(7).stream("runs").next_u64() != Random(7).stream("clusters").next_u64());
  CHECK(Random(7).stream("a").stream("b").next_u64() != Random(7).stream("b").next_u64());
}

TEST_CASE("different seeds give different streams") {
  CHECK(Random(1).stream("x").next_u64() != Random(2).stream("x").next_u64());
}

TEST_CASE("uniform_int stays within its inclusive bounds and reaches both ends") {
  Random r(3);
  bool lo = false, hi = false;
  for (int i = 0; i < 2000; ++i) {
    const auto v = r.uniform_int(-2, 2);
    REQUIRE(v >= -2);
    REQUIRE(v <= 2);
    lo = lo || v == -2;
    hi = hi || v == 2;
  }
  CHECK(lo);
  CHECK(hi);
  CHECK(r.uniform_int(5, 5) == 5);
}

TEST_CASE("distributions have the right means") {
  Random r(11);
  const int n = 20000;
  double u = 0, e = 0, g = 0, b = 0;
  for (int i = 0; i < n; ++i) {
    const double x = r.uniform01();
    REQUIRE(x >= 0.0);
    REQUIRE(x < 1.0);
    u += x;
    e += r.exponential(5.0);
    g += r.normal(10.0, 2.0);
    b += r.bernoulli(0.25) ? 1 : 0;
  }
  CHECK(u / n == Approx(0.5).margin(0.02));
  CHECK(e / n == Approx(5.0).margin(0.2));
  CHECK(g / n == Approx(10.0).margin(0.1));
  CHECK(b / n == Approx(0.25).margin(0.02));
  CHECK_FALSE(r.bernoulli(0.0));
  CHECK(r.bernoulli(1.0));
}

TEST_CASE("weighted choice follows the weights and never picks a zero weight") {
  Random r(5);
  const std::vector<double> w{1.0, 0.0, 3.0};
  std::vector<int> counts(3, 0);
  for (int i = 0; i < 8000; ++i) counts[r.weighted_choice(w)]++;
  CHECK(counts[1] == 0);
  CHECK(static_cast<double>(counts[2]) / counts[0] == Approx(3.0).margin(0.3));
}
