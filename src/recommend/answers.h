#pragma once
// What `recommend` and `frontier` answer, as data: asked by the CLI and the Python package alike,
// computed by orchestrate/answers.h (which reads the store and trains the cost model), drawn by
// report/ (text and JSON). The questions carry their defaults, so every caller has the same ones.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "predict/graph_model.h"
#include "predict/predictor.h"
#include "predict/transfer_model.h"
#include "recommend/mix.h"
#include "recommend/recommend.h"
#include "store/store.h"

namespace edgejoule {

// Which stored points are candidates: the store, the filter, the kind of energy figures to
// compare ("auto", "measured", "estimated", "any") and a serving rate (candidates_for_rate).
struct CandidateQuery {
  std::string db = kDefaultDbPath;
  CandidateFilter filter;
  std::string energy_source = "auto";
  std::optional<double> rate_qps;
};

struct RecommendQuery {
  CandidateQuery candidates;
  double energy_budget_j = 0;            // per inference; with power_budget_w, the tighter of the two
  std::optional<double> power_budget_w;  // with rate_qps: W / rate joules per inference
  std::optional<double> latency_ms_p99, min_accuracy, max_memory_mb;
  std::string objective = "accuracy";    // "accuracy", "accuracy-per-joule", "energy"
  bool predict = false;                  // also predicted points (orchestrate/with_predictions.h)
  std::string zoo_dir;                   // with predict: the zoo's unprofiled models too
  int runners_up = 3;
  bool mix = false;                      // also the two-point mix that spends the budget
};

struct RecommendAnswer {
  RecommendQuery query;
  Constraints constraints;               // the budget resolved from the query
  Objective objective = Objective::kAccuracy;
  std::string energy_kind;               // of the candidates' energy figures
  std::vector<std::string> notes;        // what was left out and why, one sentence each
  std::vector<Candidate> candidates;     // stored, and predicted where asked
  Recommendation recommendation;         // indices into candidates
  std::vector<GroupChoice> by_device_type, by_host;  // a fleet store's choices per group
  std::optional<Mix> mix;                // indices into candidates
};

struct FrontierAnswer {
  FrontierAxis axis = FrontierAxis::kEnergy;
  std::string energy_kind;
  std::vector<std::string> notes;
  std::vector<Candidate> candidates;
  std::vector<FrontierStep> frontier;    // indices into candidates
  // A fleet store of several device types: each type's own candidates and frontier (what that
  // device can reach); empty otherwise.
  struct OfDeviceType {
    std::vector<Candidate> candidates;
    std::vector<FrontierStep> frontier;  // indices into these candidates
  };
  std::map<std::string, OfDeviceType> by_device_type;
};

// What `predict` answers: the cost model fitted on a store's points and its cross-validated
// error, beside the graph and transfer models' and, where the same points were measured again,
// the noise floor the errors are read against.
struct PredictionErrors {
  std::string model;        // the fitted cost model's name
  std::string energy_kind;  // "measured", "estimated", "measured and estimated"
  size_t points = 0;        // the points it was fitted on
  CrossValidation leave_one_model_out, leave_one_configuration_out;
  ErrorDistribution lomo_latency, lomo_latency_per_model, lomo_energy, loco_latency, loco_energy;
  std::optional<GraphCrossValidation> graph;  // with zoos that recorded the models' operators
  TransferCrossValidation transfer;
  std::optional<NoiseFloor> noise;            // with stores of the same points measured again
};

}  // namespace edgejoule
