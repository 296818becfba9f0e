#include "platform/notify/sink.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "platform/notify/payloads.h"

namespace kiln::notify {
namespace {

constexpr std::size_t kErrorBodyMax = 200;

class WebhookSink final : public Sink {
 public:
  using Render = std::function<nlohmann::json(const Notification&)>;
  WebhookSink(HttpPoster& poster, std::string url, Render render)
      : poster_(poster), url_(std::move(url)), render_(std::move(render)) {}

  void deliver(const Notification& n, std::function<void(Attempt)> done) override {
    poster_.post(url_, dump(render_(n)),
                 [done = std::move(done)](const PostAnswer& a) { done(attempt_of(a)); });
  }

 private:
  HttpPoster& poster_;
  std::string url_;
  Render render_;
};

class FileSink final : public Sink {
 public:
  explicit FileSink(std::string path) : path_(std::move(path)) {}

  void deliver(const Notification& n, std::function<void(Attempt)> done) override {
    const std::string line = file_line(n);
    errno = 0;
    std::ofstream out(path_, std::ios::app | std::ios::binary);
    if (out) {
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
      out.flush();
    }
    if (out) {
      done(Attempt{});
      return;
    }
    const int err = errno;
    done(Attempt{
        Attempt::Outcome::kRetry, std::nullopt,
        "cannot append to " + path_ + (err != 0 ? ": " + std::string(std::strerror(err)) : "")});
  }

 private:
  std::string path_;
};

}  // namespace

Attempt attempt_of(const PostAnswer& a) {
  if (a.status >= 200 && a.status < 300) return Attempt{};
  Attempt out;
  out.retry_after_ms = a.retry_after_ms;
  if (a.status == 0) {
    out.outcome = Attempt::Outcome::kRetry;
    out.error = a.error.empty() ? "no answer" : a.error;
    return out;
  }
  const bool transient = a.status == 408 || a.status == 429 || a.status >= 500;
  out.outcome = transient ? Attempt::Outcome::kRetry : Attempt::Outcome::kRejected;
  out.error = "HTTP " + std::to_string(a.status);
  if (!a.body.empty()) out.error += ": " + truncate_utf8(a.body, kErrorBodyMax);
  return out;
}

std::unique_ptr<Sink> make_sink(const SinkConfig& config, HttpPoster& poster) {
  switch (config.type) {
    case SinkType::kSlack:
      return std::make_unique<WebhookSink>(poster, config.url, slack_payload);
    case SinkType::kPagerDuty:
      return std::make_unique<WebhookSink>(
          poster, config.url,
          [key = config.routing_key, source = config.source](const Notification& n) {
            return pagerduty_payload(n, key, source);
          });
    case SinkType::kFile:
      return std::make_unique<FileSink>(config.path);
  }
  return std::make_unique<FileSink>(config.path);
}

}  // namespace kiln::notify
