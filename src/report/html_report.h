#pragma once
// The self-contained HTML report: Vega-Lite charts (the library inlined, no network request),
// the table of every point, the host and meter description and the provenance legend.

#include <optional>
#include <string>
#include <vector>

#include "core/result_row.h"
#include "recommend/report_figures.h"

namespace edgejoule {

struct ReportInput {
  std::vector<ResultRow> rows;       // every stored point, any status
  std::optional<double> budget_j;    // draws the budget line and the recommended point
  ReportFigures figures;             // report_figures(rows, budget_j): what the charts show
  std::string source;                // the store it came from, for the header
  std::string generated_at_utc;
};

// True when this build inlines the charting library (EDGEJOULE_WITH_REPORT_CHARTS).
bool report_charts_available();

// The whole HTML document. The page records what it rendered in
// <script id="edgejoule-render-check"> data so a browser test can compare it with the store.
std::string render_html_report(const ReportInput& input);

}  // namespace edgejoule
