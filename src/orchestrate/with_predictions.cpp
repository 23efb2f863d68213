#include "orchestrate/with_predictions.h"

#include "common/strings.h"
#include "zoo/manifest.h"

namespace edgejoule {

PredictionsAdded add_predicted_candidates(std::vector<Candidate>& candidates, const std::string& zoo_dir) {
  PredictionsAdded out;
  std::vector<ResultRow> rows;
  rows.reserve(candidates.size());
  for (const auto& c : candidates) rows.push_back(c.row);
  out.predictor = train_predictor(rows, &out.why_none);
  if (!out.predictor) return out;
  std::vector<ResultRow> unprofiled;
  if (!zoo_dir.empty()) unprofiled = zoo_rows(zoo_dir);
  auto predicted = predicted_candidates(candidates, *out.predictor, unprofiled);
  out.added = predicted.size();
  candidates.insert(candidates.end(), predicted.begin(), predicted.end());
  return out;
}

std::vector<ResultRow> zoo_rows(const std::string& zoo_dir) {
  std::vector<ResultRow> rows;
  for (const auto& m : load_manifest(zoo_dir, "torchscript")) {
    ResultRow r;
    r.model = m.name;
    r.family = m.family;
    r.model_path = m.path;
    r.params = m.params;
    r.flops = m.flops;
    r.sample_shape = format_shape(m.sample_shape);
    r.top1 = m.top1;
    r.top5 = m.top5;
    r.accuracy_source = m.accuracy_source;
    r.accuracy_dataset = m.accuracy_dataset.empty() ? dataset_of_accuracy_source(m.accuracy_source) : m.accuracy_dataset;
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace edgejoule
