#include "platform/notify/delivered_log.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "platform/notify/payloads.h"

namespace kiln::notify {
namespace {

using nlohmann::json;

std::string journal_line(const std::string& key, core::TimeMs at_ms) {
  return dump(json{{"key", key}, {"t", at_ms}}) + "\n";
}

}  // namespace

DeliveredLog::DeliveredLog(core::DurationMs window_ms, std::string journal, core::TimeMs now_ms,
                           std::size_t max_entries)
    : window_ms_(window_ms), journal_(std::move(journal)), max_entries_(max_entries) {
  if (journal_.empty() || window_ms_ <= 0) return;
  std::error_code ec;
  if (std::filesystem::exists(journal_, ec)) {
    std::ifstream in(journal_, std::ios::binary);
    if (!in) ++journal_errors_;
    std::string line;
    while (std::getline(in, line)) {
      const json entry = json::parse(line, nullptr, /*allow_exceptions=*/false);
      // A torn last line (a crash while appending) or any other damage is skipped.
      if (!entry.is_object() || !entry.contains("key") || !entry["key"].is_string() ||
          !entry.contains("t") || !entry["t"].is_number_integer()) {
        continue;
      }
      const auto at = entry["t"].get<core::TimeMs>();
      if (at > now_ms - window_ms_) remember(entry["key"].get<std::string>(), at);
    }
  }
  // Rewrite with only the live entries, so the file stays as small as the window.
  const std::string temp = journal_ + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc | std::ios::binary);
    for (const auto& [at, key] : order_) {
      if (at_.at(key) == at) out << journal_line(key, at);
    }
    out.flush();
    if (!out) {
      ++journal_errors_;
      std::filesystem::remove(temp, ec);
      return;
    }
  }
  std::filesystem::rename(temp, journal_, ec);
  if (ec) ++journal_errors_;
}

bool DeliveredLog::contains(const std::string& key, core::TimeMs now_ms) {
  if (window_ms_ <= 0) return false;
  prune(now_ms);
  return at_.contains(key);
}

void DeliveredLog::record(const std::string& key, core::TimeMs at_ms) {
  if (window_ms_ <= 0) return;
  remember(key, at_ms);
  prune(at_ms);
  if (journal_.empty()) return;
  std::ofstream out(journal_, std::ios::app | std::ios::binary);
  out << journal_line(key, at_ms);
  out.flush();
  if (!out) ++journal_errors_;
}

void DeliveredLog::remember(const std::string& key, core::TimeMs at_ms) {
  at_[key] = at_ms;
  order_.emplace_back(at_ms, key);
  while (at_.size() > max_entries_ && !order_.empty()) {
    const auto& [at, oldest] = order_.front();
    if (const auto it = at_.find(oldest); it != at_.end() && it->second == at) at_.erase(it);
    order_.pop_front();
  }
}

void DeliveredLog::prune(core::TimeMs now_ms) {
  // Entries are recorded in time order (the clock never goes back), so expired ones are first.
  while (!order_.empty() && order_.front().first <= now_ms - window_ms_) {
    const auto& [at, key] = order_.front();
    if (const auto it = at_.find(key); it != at_.end() && it->second == at) at_.erase(it);
    order_.pop_front();
  }
}

}  // namespace kiln::notify
