// Random: a seeded, portable random source. The generator (xoshiro256**) and every
// distribution are implemented here rather than taken from <random>, whose distributions differ
// between standard libraries: the same seed gives the same draws on any compiler.
//
// Named sub-streams: stream("runs") and stream("clusters") are independent generators derived
// from (seed, name), so adding a draw in one component never shifts another's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace kiln::core {

class Random {
 public:
  explicit Random(std::uint64_t seed);

  // An independent generator for the named component; the same (seed, name) always gives the
  // same stream, whatever was drawn from this one.
  Random stream(std::string_view name) const;

  std::uint64_t seed() const { return seed_; }

  // 64 uniformly random bits.
  std::uint64_t next_u64();
  // Uniform in [0, 1), 53 bits of precision.
  double uniform01();
  // Uniform integer in [lo, hi], inclusive, without modulo bias. Requires lo <= hi.
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi);
  // Uniform real in [lo, hi).
  double uniform(double lo, double hi);
  // Exponential with the given mean (> 0).
  double exponential(double mean);
  // Normal (Box-Muller; one value per call, so no hidden cached state).
  double normal(double mean, double stddev);
  // Log-normal whose underlying normal has (mu, sigma).
  double lognormal(double mu, double sigma);
  // True with probability p (clamped to [0, 1]).
  bool bernoulli(double p);
  // Index i with probability weights[i] / sum. Requires a non-empty span with a positive sum
  // and no negative weight.
  std::size_t weighted_choice(std::span<const double> weights);

 private:
  Random(std::uint64_t seed, std::uint64_t stream_key);
  std::uint64_t seed_;
  std::uint64_t stream_key_;
  std::array<std::uint64_t, 4> s_{};
};

// FNV-1a, 64 bit: a stable hash of a name (std::hash is not stable across implementations).
std::uint64_t stable_hash(std::string_view text);

}  // namespace kiln::core
