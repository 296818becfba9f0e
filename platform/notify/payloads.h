// What each sink sends, as pure functions of a notification: Slack's incoming-webhook message,
// a PagerDuty Events API v2 event, and a line of the JSON-lines file.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "platform/notify/notification.h"

namespace kiln::notify {

// Slack incoming webhook: {"text": fallback, "blocks": [a mrkdwn section with the title in bold
// and the text, a context line with kind, severity, job, target and owner]}. Text is escaped as
// Slack asks (&, <, >) and cut to Slack's 3,000-character limit of a section.
nlohmann::json slack_payload(const Notification& notification);

// PagerDuty Events API v2. A trigger: {routing_key, event_action: "trigger", dedup_key, client,
// payload: {summary (the title, at most 1,024 characters), source, severity, timestamp (ISO
// 8601), component (job), group (target), class (kind), custom_details (the event's fields and
// `details`: the text)}}. A resolving notification: {routing_key, event_action: "resolve",
// dedup_key}, closing what a trigger with the same dedup_key opened.
nlohmann::json pagerduty_payload(const Notification& notification, const std::string& routing_key,
                                 const std::string& source);

// One line of the file sink (to_json), with its newline.
std::string file_line(const Notification& notification);

// JSON text that never throws: invalid UTF-8 in a string becomes U+FFFD.
std::string dump(const nlohmann::json& value);

// At most `max_bytes` bytes of `text`, never cutting a UTF-8 sequence; "…" marks a cut.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace kiln::notify
