#pragma once
// `evaluate` as a call: the recommender tested on this machine. The stored candidates this host
// can re-measure (its own points, engines built in at the same version), predictions added where
// asked, budgets across the measured range, each pick re-measured afresh with the meter that
// measured it (profiler/session.h's Remeasurer), the figures (recommend/evaluate.h) and the run
// stored with every setting. The CLI prints the result (report/evaluation_writer.cpp).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/records.h"
#include "recommend/answers.h"
#include "recommend/evaluate.h"

namespace edgejoule {

struct EvaluationRequest {
  CandidateQuery candidates;
  int budgets = 20;
  std::string objective = "accuracy";
  std::optional<double> latency_ms_p99, min_accuracy, max_memory_mb;
  bool predict = false;
  std::string zoo_dir;
  std::string meter = "auto";
  std::string sysfs_root = "/";
  ProtocolSettings protocol;
};

struct EvaluationRun {
  Evaluation evaluation;
  StoredEvaluation stored;
  std::vector<Candidate> candidates;
  std::vector<std::string> notes;
  std::string energy_kind;
  int64_t run_id = 0;
  std::string store_location;
};

// `progress(done, total, candidate)` before each re-measurement. Throws Error (exit 2) for what
// the user must fix first: bad settings, no point of this host, a meter other than the points'.
EvaluationRun run_evaluation(
    const EvaluationRequest& request,
    const std::function<void(size_t done, size_t total, const Candidate& candidate)>& progress);

}  // namespace edgejoule
