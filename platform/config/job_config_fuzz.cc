// Fuzz target: bytes -> one job config file, through the loading and validation that
// `kiln validate FILE` runs (load_config_text). It must never throw, crash or hang, and every
// diagnostic must print as one line without raw control characters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "platform/config/job_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const kiln::config::LoadResult result = kiln::config::load_config_text("fuzz.yaml", text);
  if (result.ok() != (result.folders.size() == 1)) std::abort();
  for (const auto& d : result.diagnostics) {
    if (d.message.starts_with("internal error")) std::abort();  // a loader exception
    for (const char c : d.to_string()) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
    }
  }
  return 0;
}
