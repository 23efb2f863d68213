#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/result_row.h"

namespace edgejoule {

// Aligned console table; INVALID/UNSUPPORTED reasons listed under it, accuracy provenance in
// a footnote.
void write_table(std::ostream& out, const std::vector<ResultRow>& rows);
// A JSON array of rows (pretty-printed), one object per point.
void write_json(std::ostream& out, const std::vector<ResultRow>& rows);
// Flat exports with one column list (names carry units): CSV (RFC 4180, CRLF) and a Markdown table.
void write_csv(std::ostream& out, const std::vector<ResultRow>& rows);
void write_markdown(std::ostream& out, const std::vector<ResultRow>& rows);

// The engine is a knob: for each model and configuration measured (VALID) in several engines,
// which one is faster and which one costs less energy per inference.
struct EngineComparison {
  struct Entry {
    std::string engine;
    double latency_ms_p50 = 0;
    std::optional<double> energy_j_per_inference;
  };
  std::string model;
  std::string configuration;  // "cpu fp32 b1 t2"
  std::vector<Entry> entries;
  std::string fastest;
  double speedup = 1;         // slowest p50 / fastest p50
  std::string lowest_energy;      // empty without energy figures
  std::string energy_provenance;  // of every energy figure compared ("measured:rapl:package-0")
};
std::vector<EngineComparison> compare_engines_per_model(const std::vector<ResultRow>& rows);
// Those comparisons under a table (nothing when no model ran in two engines).
void write_engine_comparison(std::ostream& out, const std::vector<ResultRow>& rows);

}  // namespace edgejoule
