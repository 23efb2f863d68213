#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result_row.h"
#include "recommend/answers.h"
#include "recommend/comparisons.h"
#include "recommend/evaluate.h"
#include "recommend/recommend.h"
#include "store/store.h"
#include "zoo/engine_check.h"
#include "zoo/manifest.h"

namespace edgejoule {

// Aligned console table; INVALID/UNSUPPORTED reasons listed under it, accuracy provenance in
// a footnote.
void write_table(std::ostream& out, const std::vector<ResultRow>& rows);
// A JSON array of rows (pretty-printed), one object per point.
void write_json(std::ostream& out, const std::vector<ResultRow>& rows);
// Flat exports with one column list (names carry units): CSV (RFC 4180, CRLF) and a Markdown table.
void write_csv(std::ostream& out, const std::vector<ResultRow>& rows);
void write_markdown(std::ostream& out, const std::vector<ResultRow>& rows);

// The engines and the scenarios compared (recommend/comparisons.h), under a table; nothing when
// there is nothing to compare.
void write_engine_comparison(std::ostream& out, const std::vector<EngineComparison>& comparisons);
void write_scenario_comparison(std::ostream& out, const std::vector<ScenarioComparison>& comparisons);

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

// `zoo list`: the models, the engines that run each (and why not), the quantised files' own
// accuracy; or as JSON.
void write_zoo_listing(std::ostream& out, const std::vector<ZooModelListing>& listing);
nlohmann::json zoo_listing_json(const std::vector<ZooModelListing>& listing);

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
