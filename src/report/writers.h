#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result_row.h"
#include "recommend/answers.h"
#include "recommend/evaluate.h"
#include "recommend/recommend.h"
#include "store/store.h"
#include "zoo/engine_check.h"

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
// The scenario is a knob too: for each model, engine and configuration measured (VALID, with
// energy) in several scenarios, the energy per inference and throughput of each side by side,
// and each one's energy relative to single-stream (nothing when no point has another scenario).
void write_scenario_comparison(std::ostream& out, const std::vector<ResultRow>& rows);

// The runs under a budget ('list --runs'): when, where, how it ended, energy against the budget
// (with its provenance), measured top-1 and switches.
void write_runs_table(std::ostream& out, const std::vector<StoredRun>& runs);

// The --check-outputs table: per model, engine and precision, the largest relative difference
// from the reference engine, the tolerance, the top-1 agreement and the verdict.
void write_output_checks(std::ostream& out, const std::vector<OutputCheck>& checks);

// A candidate's figures as they read: "3.2 mJ", "12.5 ms", its JSON (the row within), and the
// line under a table saying where the shown candidates' figures come from ("energy from
// estimated:cpu-time; accuracy from declared:...; measured:fmnist:test:10000").
std::string format_energy(double j);
std::string format_ms(const std::optional<double>& ms);
nlohmann::json candidate_json(const Candidate& c);
std::string provenance_footnote(const std::vector<const Candidate*>& shown);

// recommend's and frontier's answers as the CLI prints them, and as JSON (`--json`, and what the
// Python package returns).
void write_recommendation(std::ostream& out, const RecommendAnswer& answer);
nlohmann::json recommendation_json(const RecommendAnswer& answer);
void write_frontier(std::ostream& out, const FrontierAnswer& answer);
nlohmann::json frontier_json(const FrontierAnswer& answer);
// predict's answer: the cost model's cross-validated error, the error distributions of the
// baseline, graph and transfer models, the noise floor.
void write_prediction_errors(std::ostream& out, const PredictionErrors& errors);
nlohmann::json prediction_errors_json(const PredictionErrors& errors);

// An evaluation run as `edgejoule evaluate` prints it: per budget the pick, its stored and
// re-measured energy, budget use, violation and regret, then the summary (text), or the same
// as JSON.
struct EvaluationView {
  const Evaluation& evaluation;
  const StoredEvaluation& stored;
  const std::vector<Candidate>& candidates;
  const std::vector<std::string>& notes;
  int64_t run_id = 0;
  std::string store_location;
  std::string objective;
  std::string energy_kind;
  bool predict = false;
};
void write_evaluation(std::ostream& out, const EvaluationView& view);
void write_evaluation_json(std::ostream& out, const EvaluationView& view);

}  // namespace edgejoule
