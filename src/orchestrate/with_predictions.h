#pragma once
// Stored candidates plus what a cost model predicts for the points not measured (recommend and
// evaluate --predict): the model trained on the candidates, the predicted candidates appended.
// The recommender picks among both; each predicted point must fit with its margin.

#include <optional>
#include <string>
#include <vector>

#include "predict/predictor.h"
#include "recommend/recommend.h"

namespace edgejoule {

struct PredictionsAdded {
  std::optional<TrainedPredictor> predictor;  // absent when none could be trained
  std::string why_none;                       // then, why
  size_t added = 0;
};

// Trains the cost model on `candidates` and appends its predicted candidates: other batch sizes
// and thread counts of measured combinations and, with `zoo_dir`, the zoo's models never profiled.
PredictionsAdded add_predicted_candidates(std::vector<Candidate>& candidates, const std::string& zoo_dir);

// A zoo manifest's models as rows (name, family, FLOPs, parameters, declared accuracy): the
// unprofiled models a cost model can predict.
std::vector<ResultRow> zoo_rows(const std::string& zoo_dir);

}  // namespace edgejoule
