#include "core/events/event.h"

#include <cassert>
#include <exception>
#include <stdexcept>

namespace kiln::core {

namespace {
std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

std::string Event::to_json_line() const {
  std::string line = "{\"t\":" + std::to_string(time_ms) + ",\"type\":" + dump(type);
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {  // std::map order: sorted keys
      line += ',';
      line += dump(it.key());
      line += ':';
      line += dump(it.value());
    }
  }
  line += '}';
  return line;
}

void EventLog::publish(const Event& event) {
  if (publishing_) throw std::logic_error("EventLog: a subscriber published " + event.type);
  // Reset on every way out, so one failing subscriber cannot make every later publish() throw.
  struct Publishing {
    bool& flag;
    explicit Publishing(bool& f) : flag(f) { flag = true; }
    ~Publishing() { flag = false; }
    Publishing(const Publishing&) = delete;
    Publishing& operator=(const Publishing&) = delete;
  } publishing(publishing_);
  ++published_;
  std::exception_ptr first_failure;
  for (std::size_t i = 0; i < subscribers_.size(); ++i) {
    try {
      subscribers_[i].fn(event);
    } catch (...) {
      if (!first_failure) first_failure = std::current_exception();
    }
  }
  if (first_failure) std::rethrow_exception(first_failure);
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
