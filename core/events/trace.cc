#include "core/events/trace.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace kiln::core {

struct Fingerprint::State {
  EVP_MD_CTX* ctx = nullptr;
};

Fingerprint::Fingerprint() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  if (state_->ctx == nullptr || EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("Fingerprint: cannot initialise SHA-256");
  }
}

Fingerprint::~Fingerprint() {
  EVP_MD_CTX_free(state_->ctx);
}

void Fingerprint::add(std::string_view bytes) {
  EVP_DigestUpdate(state_->ctx, bytes.data(), bytes.size());
}

std::string Fingerprint::hex() const {
  // Finalise a copy so the running digest can keep growing.
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  EVP_MD_CTX_copy_ex(copy, state_->ctx);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(copy, digest, &length);
  EVP_MD_CTX_free(copy);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * static_cast<std::size_t>(length));
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

TraceRecorder::TraceRecorder(EventLog& log, std::ostream* out) : log_(log), out_(out) {
  subscription_ = log_.subscribe([this](const Event& e) {
    std::string line = e.to_json_line();
    line += '\n';
    fingerprint_.add(line);
    if (out_ != nullptr) *out_ << line;
    ++lines_;
  });
}

TraceRecorder::~TraceRecorder() {
  log_.unsubscribe(subscription_);
}

}  // namespace kiln::core
