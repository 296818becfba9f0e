// Internal to the report's SVG: its stylesheet (every class the drawing may use), the legend's
// labels for those classes, and the number format every part of the drawing shares.
#pragma once

#include <span>
#include <string>

namespace kiln::scenario::report::svg {

const char* style();  // one <style> element

// The legend: every class the drawing may use, in the order shown (each only when used).
struct LegendEntry {
  const char* css;
  const char* label;
};
std::span<const LegendEntry> legend_catalogue();

// A coordinate: one decimal, without a trailing ".0".
std::string num(double v);

}  // namespace kiln::scenario::report::svg
