// Fuzz target: bytes -> a scenario file, through load_scenario_text (what `kiln scenario run`
// reads before the world starts). It must never throw, crash or hang: a wrongly typed field is
// a diagnostic at its line, never an exception caught as an internal error, and every
// diagnostic prints as one line without raw control characters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "platform/scenario/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const kiln::scenario::Loaded loaded = kiln::scenario::load_scenario_text("fuzz.yaml", text, 7);
  if (loaded.ok() != loaded.diagnostics.empty()) std::abort();
  for (const auto& d : loaded.diagnostics) {
    if (d.message.starts_with(kiln::scenario::kInternalError)) std::abort();
    for (const char c : d.to_string()) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
    }
  }
  if (loaded.scenario) {
    for (const auto& x : loaded.scenario->expectations) (void)x.describe();
  }
  return 0;
}
