#pragma once

#include <ostream>
#include <vector>

#include "report/result_row.h"

namespace edgejoule {

// Aligned console table; INVALID/UNSUPPORTED reasons listed under it, accuracy provenance in
// a footnote.
void write_table(std::ostream& out, const std::vector<ResultRow>& rows);
// A JSON array of rows (pretty-printed), one object per point.
void write_json(std::ostream& out, const std::vector<ResultRow>& rows);
// Flat exports with one column list (names carry units): CSV (RFC 4180, CRLF) and a Markdown table.
void write_csv(std::ostream& out, const std::vector<ResultRow>& rows);
void write_markdown(std::ostream& out, const std::vector<ResultRow>& rows);

}  // namespace edgejoule
