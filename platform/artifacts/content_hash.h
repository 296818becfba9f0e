// Content addressing: an artifact's key is the SHA-256 of its bytes, as 64 lowercase hex digits.
#pragma once

#include <string>
#include <string_view>

namespace kiln::artifacts {

// SHA-256 of `bytes`, lowercase hex.
std::string sha256_hex(std::string_view bytes);

// True for exactly 64 lowercase hex digits (the only keys a store accepts, so a key can never
// name a path outside the store).
bool is_content_hash(std::string_view key);

}  // namespace kiln::artifacts
