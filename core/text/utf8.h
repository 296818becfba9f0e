// UTF-8 as RFC 3629 defines it, shared by every parser of outside input (the emulator's request
// checks, kiln's YAML reader and diagnostics).
#pragma once

#include <cstddef>
#include <string_view>

namespace kiln::core {

// The length of the UTF-8 sequence starting at text[i] (1 to 4), or 0 when the bytes there are
// not UTF-8 (a stray continuation byte, a truncated or overlong sequence, a surrogate, a code
// point past U+10FFFF). i < text.size().
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

}  // namespace kiln::core
