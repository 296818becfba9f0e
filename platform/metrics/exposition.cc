#include "platform/metrics/exposition.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <system_error>

namespace kiln::metrics {
namespace {

// {a="1",b="2"} with `le` (histogram buckets) last; "" for no labels at all.
std::string label_text(const Labels& labels, const std::string* le = nullptr) {
  if (labels.empty() && le == nullptr) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    out.append(name);
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  };
  for (const auto& [name, value] : labels) add(name, value);
  if (le != nullptr) add("le", *le);
  out += '}';
  return out;
}

void sample_line(std::string& out, std::string_view name, std::string_view labels, double value) {
  out.append(name);
  out.append(labels);
  out += ' ';
  out += format_value(value);
  out += '\n';
}

void histogram_lines(std::string& out, const Family& family, const Labels& labels,
                     const Sample& sample) {
  const std::string bucket = family.name + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < family.upper_bounds.size(); ++i) {
    cumulative += sample.bucket_counts[i];
    const std::string le = format_value(family.upper_bounds[i]);
    sample_line(out, bucket, label_text(labels, &le), static_cast<double>(cumulative));
  }
  const std::string inf = "+Inf";
  sample_line(out, bucket, label_text(labels, &inf), static_cast<double>(sample.count));
  const std::string plain = label_text(labels);
  sample_line(out, family.name + "_sum", plain, sample.sum);
  sample_line(out, family.name + "_count", plain, static_cast<double>(sample.count));
}

}  // namespace

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Integers (counts, versions, whole seconds) read best without an exponent: below 2^53 every
  // integer is exact in a double.
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (error != std::errc()) return "NaN";  // cannot happen: 64 characters fit any double
  return std::string(buffer, end);
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_prometheus(const Registry& registry) {
  return render_prometheus({&registry});
}

std::string render_prometheus(const std::vector<const Registry*>& registries) {
  std::map<std::string_view, const Family*> families;
  for (const Registry* registry : registries) {
    for (const auto& [name, family] : registry->families()) {
      if (!families.emplace(name, &family).second) {
        throw std::logic_error("metric " + name + " is in two registries");
      }
    }
  }
  std::string out;
  for (const auto& [name, family] : families) {
    out += "# HELP " + family->name + " " + escape_help(family->help) + "\n";
    out += "# TYPE " + family->name + " " + std::string(to_string(family->type)) + "\n";
    for (const auto& [labels, sample] : family->series) {
      if (family->type == MetricType::kHistogram) {
        histogram_lines(out, *family, labels, sample);
      } else {
        sample_line(out, family->name, label_text(labels), sample.value);
      }
    }
  }
  return out;
}

}  // namespace kiln::metrics
