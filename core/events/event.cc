#include "core/events/event.h"

#include <cassert>
#include <stdexcept>

namespace kiln::core {

std::string Event::to_json_line() const {
  std::string line =
      "{\"t\":" + std::to_string(time_ms) + ",\"type\":" + nlohmann::json(type).dump();
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {  // std::map order: sorted keys
      line += ',';
      line += nlohmann::json(it.key()).dump();
      line += ':';
      line += it.value().dump();
    }
  }
  line += '}';
  return line;
}

void EventLog::publish(const Event& event) {
  if (publishing_) throw std::logic_error("EventLog: a subscriber published " + event.type);
  publishing_ = true;
  ++published_;
  for (std::size_t i = 0; i < subscribers_.size(); ++i) subscribers_[i].fn(event);
  publishing_ = false;
}

EventLog::SubscriptionId EventLog::subscribe(Subscriber subscriber) {
  const SubscriptionId id = next_id_++;
  subscribers_.push_back(Entry{id, std::move(subscriber)});
  return id;
}

void EventLog::unsubscribe(SubscriptionId id) {
  std::erase_if(subscribers_, [id](const Entry& e) { return e.id == id; });
}

}  // namespace kiln::core
