#include "core/random/random.h"

#include <cassert>
#include <cmath>
#include <numbers>

namespace kiln::core {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

}  // namespace

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

Random::Random(std::uint64_t seed) : Random(seed, 0) {}

Random::Random(std::uint64_t seed, std::uint64_t stream_key)
    : seed_(seed), stream_key_(stream_key) {
  std::uint64_t x = seed ^ rotl(stream_key, 17) ^ (stream_key * 0xD1342543DE82EF95ULL);
  for (auto& word : s_) word = splitmix64(x);
}

Random Random::stream(std::string_view name) const {
  // Nested streams compose: stream("a").stream("b") differs from stream("b").
  return Random(seed_, stable_hash(name) ^ rotl(stream_key_, 29));
}

std::uint64_t Random::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Random::uniform01() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

std::int64_t Random::uniform_int(std::int64_t lo, std::int64_t hi) {
  assert(lo <= hi);
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<std::int64_t>(next_u64());
  const std::uint64_t range = span + 1;
  // Rejection sampling: draws above the largest multiple of range are redrawn.
  const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % range);
  std::uint64_t x = next_u64();
  while (x >= limit) x = next_u64();
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + x % range);
}

double Random::uniform(double lo, double hi) {
  return lo + (hi - lo) * uniform01();
}

double Random::exponential(double mean) {
  return -mean * std::log1p(-uniform01());
}

double Random::normal(double mean, double stddev) {
  // 1 - u keeps the logarithm's argument in (0, 1].
  const double u1 = 1.0 - uniform01();
  const double u2 = uniform01();
  return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double Random::lognormal(double mu, double sigma) {
  return std::exp(normal(mu, sigma));
}

bool Random::bernoulli(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return uniform01() < p;
}

std::size_t Random::weighted_choice(std::span<const double> weights) {
  assert(!weights.empty());
  double total = 0;
  for (const double w : weights) total += w;
  double x = uniform01() * total;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  // Rounding can leave x just above the last bucket: the last positive weight wins.
  for (std::size_t i = weights.size(); i-- > 0;) {
    if (weights[i] > 0) return i;
  }
  return weights.size() - 1;
}

}  // namespace kiln::core
