#pragma once
// What the HTML report shows, computed here so the report only draws it: per accuracy dataset
// the candidates, their Pareto frontier and (with a budget) the recommendation; over every
// point with energy, the cost model's fit. The report receives this, it calls neither the
// recommender nor the predictor.

#include <optional>
#include <string>
#include <vector>

#include "core/result_row.h"
#include "predict/predictor.h"
#include "recommend/mix.h"
#include "recommend/recommend.h"

namespace edgejoule {

struct DatasetFigures {
  std::string dataset;
  std::vector<Candidate> candidates;             // VALID points with energy and accuracy on it
  std::vector<FrontierStep> frontier;            // accuracy vs energy, cheapest first
  std::optional<Recommendation> recommendation;  // for the budget, when one is given
  // A fleet store's device types side by side: each one's own choice for the budget (the most
  // accurate point without one); empty when the points are of one device type.
  std::vector<GroupChoice> by_device_type;
  // Energy per inference against the arrival rate for the frontier's back-to-back points: derived
  // (above-idle energy + idle power / rate, up to the point's throughput) and, where server
  // points of the same configuration were measured, those.
  struct RatePoint {
    std::string label;  // "resnet18 openvino/cpu/fp32 b1 t2"
    double rate_qps = 0;
    double energy_j = 0;
    bool measured = false;  // a server point; otherwise derived:rate
  };
  std::vector<RatePoint> energy_at_rate;
  // The report's budget slider: budgets per inference, log-spaced from the cheapest point's cost
  // to the most accurate point's, each with the most accurate single point within it and the mix
  // of two frontier points that spends it (recommend --mix; edgejoule run runs it).
  struct BudgetStop {
    double budget_j = 0;
    std::optional<size_t> pick;  // into the candidates
    std::optional<Mix> mix;      // indices into the candidates
  };
  std::vector<BudgetStop> budget_stops;
};

struct ReportFigures {
  std::vector<DatasetFigures> datasets;  // most points first
  std::vector<std::string> notes;        // what the candidate selection left out, and why
  // VALID points with energy of the candidates' energy kind, and the cost model's fitted energy
  // per inference for each (absent where the model cannot predict it).
  std::vector<ResultRow> cost_rows;
  std::vector<std::optional<double>> fitted_energy_j;
  std::optional<TrainedPredictor> fit;
  std::string no_fit_reason;  // when there is no fit
};

ReportFigures report_figures(const std::vector<ResultRow>& rows, std::optional<double> budget_j);

}  // namespace edgejoule
