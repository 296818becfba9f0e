// Diagnostic: one problem found in a job config or job folder manifest, pointing at the file,
// line and column (1-based) and the field it concerns. kiln validate prints them one per line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/utf8.h"

namespace kiln::config {

struct Diagnostic {
  std::string file;
  int line = 0, column = 0;  // 1-based; 0 when the problem concerns the whole file or folder
  std::string field;         // "deployVersion", "settings.tasks[1].task_key"; empty: the document
  std::string message;       // says what was expected, and what was found

  // "file:line:col: field: message"; the position is left out when line is 0, the field when it
  // is empty. File, field and message pass through escape_text(): a key holding a newline or
  // an escape sequence cannot forge a line or reach the terminal.
  std::string to_string() const;

  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

using core::utf8_sequence_length;  // core/text/utf8.h

// The text made safe to print on one terminal line: newline, tab and carriage return as \n,
// \t, \r; other control characters (C0, DEL) and bytes that are not UTF-8 as \xNN; C1
// controls as \u00NN. Everything else (printable UTF-8) is kept.
std::string escape_text(std::string_view text);

// Sorts by file, line, column, then field and message, so the same input always prints the same
// list in the same order.
void sort_diagnostics(std::vector<Diagnostic>& diagnostics);

}  // namespace kiln::config
