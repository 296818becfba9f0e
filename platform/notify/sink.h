// Sink: one destination of notifications (a Slack channel's webhook, a PagerDuty service, a
// file), as configured in the routing config. Delivery and retries are the Notifier's; a sink
// makes one attempt and says how it went.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock/clock.h"
#include "platform/notify/http_poster.h"
#include "platform/notify/notification.h"
#include "platform/notify/routing.h"

namespace kiln::notify {

struct Attempt {
  enum class Outcome {
    kDelivered,
    kRetry,     // may succeed later: no answer, 408, 429, 5xx, a file that cannot be written
    kRejected,  // will never succeed as it is: any other 4xx (a bad payload, a revoked webhook)
  };
  Outcome outcome = Outcome::kDelivered;
  std::optional<core::DurationMs> retry_after_ms;  // what the service asked for, if anything
  std::string error;                               // empty when delivered
};

// How an HTTP answer counts, as above.
Attempt attempt_of(const PostAnswer& answer);

class Sink {
 public:
  virtual ~Sink() = default;
  // Makes one attempt to deliver. `done` runs exactly once, possibly inside this call.
  virtual void deliver(const Notification& notification, std::function<void(Attempt)> done) = 0;
};

// The sink a config describes: Slack and PagerDuty post through `poster` (which must outlive
// the sink); a file sink appends to its file.
std::unique_ptr<Sink> make_sink(const SinkConfig& config, HttpPoster& poster);

}  // namespace kiln::notify
