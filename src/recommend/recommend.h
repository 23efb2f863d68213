#pragma once
// The choice under constraints: which stored (or predicted) point maximises the objective
// within an energy budget per inference, a latency target, an accuracy floor and a memory
// limit; why (which constraint binds); and what the next step up would cost. Also the Pareto
// frontier of accuracy against energy or latency. Works on plain candidates, so tests build
// synthetic ones and the store, the predictor and the evaluation all feed the same code.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result_row.h"

namespace edgejoule {

// One point the recommender may choose: a VALID stored point, or a predicted one.
struct Candidate {
  ResultRow row;                 // model, configuration, host and every stored figure
  double energy_j_per_inference = 0;  // one sample
  double energy_ci95_j = 0;      // the measurement's 95 % CI half-width (0 when unknown)
  double top1 = 0;               // percent
  std::optional<double> latency_ms_p99;  // per forward call
  std::optional<double> memory_mb;       // peak resident memory while it ran
  bool predicted = false;
  // For a predicted point: the energy it may really cost, at the predictor's measured error
  // (prediction x (1 + relative error quantile)); it must fit the budget with this margin.
  double energy_upper_j = 0;
  std::optional<double> latency_ms_p99_upper;
  std::string prediction_model;  // e.g. "ridge-log-linear(lambda=0.1)"

  // The energy that must fit the budget: the upper bound for predicted points.
  double budget_energy_j() const { return predicted ? energy_upper_j : energy_j_per_inference; }

 private:
  mutable std::string label_;

 public:
  // "resnet18 torchscript/cpu/fp32 b1 t2"; made once (a sort's tie-break asks n log n times), so
  // the row's model and configuration must not change after it is first asked.
  const std::string& label() const;
};

enum class EnergySource { kAuto, kMeasured, kEstimated, kAny };
std::optional<EnergySource> energy_source_from_string(const std::string& text);

struct CandidateFilter {
  std::string hostname;        // empty: every host
  std::string device;          // empty: every device
  std::string accuracy_dataset;  // empty: every dataset (callers then check `datasets`)
  EnergySource energy_source = EnergySource::kAuto;
};

// The candidates among stored rows, and why the others were left out. Energy figures from
// meters and from the estimate are never mixed: kAuto takes measured ones where any exist,
// else estimated ones, and says which.
struct CandidateSet {
  std::vector<Candidate> candidates;
  std::string energy_kind;      // "measured" | "estimated" | "measured and estimated" | ""
  EnergySource energy_source = EnergySource::kAuto;  // the filter's, with kAuto resolved
  size_t rows = 0;
  size_t not_valid = 0;         // INVALID or UNSUPPORTED
  size_t without_energy = 0;
  size_t without_accuracy = 0;
  size_t other_energy_kind = 0; // left out so measured and estimated figures are not mixed
  size_t filtered_out = 0;      // by host or device
  std::vector<std::string> notes;  // one sentence each, for the user
  // Candidates per accuracy dataset: accuracy on different datasets does not compare, so a
  // choice needs exactly one.
  std::map<std::string, size_t> datasets;
};
CandidateSet candidates_from_rows(const std::vector<ResultRow>& rows, const CandidateFilter& filter);
// The same, taking the rows over (no copy of each: a store of 100,000 points is loaded for one
// question and dropped).
CandidateSet candidates_from_rows(std::vector<ResultRow>&& rows, const CandidateFilter& filter);
// The same, made from rows handed over one at a time (a store's each_row): a store of 100,000
// points is never held twice, once as rows and once as candidates.
class CandidateCollector final : public RowSink {
 public:
  explicit CandidateCollector(CandidateFilter filter);
  void expect(size_t rows) override;
  void take(ResultRow&& row) override;
  void add(const ResultRow& row);  // copies the row only where it is a candidate
  CandidateSet finish();           // the set so far; the collector starts empty again

 private:
  template <class Row>
  void add_row(Row&& row);
  CandidateFilter filter_;
  CandidateSet set_;
  bool any_measured_ = false, any_estimated_ = false;
};
// "imagenet-1k (12 points), fmnist:test (6 points)": the datasets a set's accuracy is on, for the
// sentence that asks for --dataset.
std::string datasets_listed(const CandidateSet& set);

// The same selection without the need for accuracy: VALID rows with energy of one kind that pass
// the filter. What cost models are fitted on and what the report's cost charts plot.
std::vector<ResultRow> rows_with_energy(const std::vector<ResultRow>& rows, const CandidateFilter& filter);

struct Constraints {
  double energy_budget_j = 0;                 // per inference; <= 0 means no energy limit
  std::optional<double> latency_ms_p99;
  std::optional<double> min_accuracy;         // top-1, percent
  std::optional<double> max_memory_mb;
};

enum class Objective { kAccuracy, kAccuracyPerJoule, kEnergy };
std::optional<Objective> objective_from_string(const std::string& text);
const char* to_string(Objective objective);

// The constraint names used in explanations.
inline constexpr const char* kEnergyConstraint = "energy budget";
inline constexpr const char* kLatencyConstraint = "latency p99";
inline constexpr const char* kAccuracyConstraint = "minimum accuracy";
inline constexpr const char* kMemoryConstraint = "memory";

// Which constraints a candidate breaks (empty: it fits).
std::vector<std::string> violated_constraints(const Candidate& c, const Constraints& constraints);

// True when a is better than b under the objective; ties fall to lower energy, then lower
// latency, then the lower label, so the choice never depends on the order of the input.
bool better(const Candidate& a, const Candidate& b, Objective objective);

struct NextStep {
  size_t index = 0;               // into the candidates
  double extra_energy_j = 0;      // its energy minus the chosen one's
  double extra_accuracy = 0;      // percentage points
  double joules_per_accuracy_point = 0;
  std::vector<std::string> blocked_by;  // constraints it breaks (the budget, usually)
};

struct Recommendation {
  std::optional<size_t> chosen;   // into the candidates
  std::vector<size_t> runners_up; // the next best feasible ones, best first
  size_t feasible = 0;
  std::optional<double> budget_use;  // chosen energy / budget
  // The constraints whose relaxation alone would give a better choice. When better points
  // exist but no single constraint frees one, `binding` is empty and `binding_note` says so.
  std::vector<std::string> binding;
  std::string binding_note;
  std::optional<NextStep> next_step;  // the cheapest more accurate point that meets all but energy
  // When nothing fits: the cheapest point that meets every constraint but the budget (and the
  // budget it needs), or, if none does, the cheapest point of all.
  std::optional<size_t> cheapest;
  std::vector<std::string> cheapest_breaks;
};

Recommendation recommend(const std::vector<Candidate>& candidates, const Constraints& constraints,
                         Objective objective, size_t runners_up = 3);

// A fleet store's views: the same choice made within each device type (HostInfo::device_class)
// or each host on its own, so device types compare side by side (which device + model +
// configuration fits the budget).
enum class GroupBy { kDeviceType, kHost };
struct GroupChoice {
  std::string group;               // the device type, or the host name
  std::vector<std::string> hosts;  // the hosts in it, sorted
  std::vector<size_t> members;     // into the candidates
  Recommendation recommendation;   // its indices are into the candidates too
};
// One choice per group, groups in name order; empty when all candidates are in one group.
std::vector<GroupChoice> recommend_by_group(const std::vector<Candidate>& candidates, const Constraints& constraints,
                                            Objective objective, GroupBy by);
std::string group_of(const ResultRow& row, GroupBy by);

// A device serving `rate_qps` inferences per second. The candidates that answer for it: server
// points measured at that rate as they are; for a configuration without one, its back-to-back
// point (single-stream or offline) with the energy derived as above-idle energy + idle power /
// rate (provenance "derived:rate:<measured figure>"), where its throughput reaches the rate.
// Without a rate: the back-to-back points; server points, which answer for their own rate, are
// left out. Notes say what was left out and why.
struct RateCandidates {
  std::vector<Candidate> candidates;
  std::vector<std::string> notes;
  size_t measured_at_rate = 0;
  size_t derived = 0;
};
RateCandidates candidates_for_rate(std::vector<Candidate> candidates, std::optional<double> rate_qps);
// What a point serves apart from how its queries arrive (model, host, configuration without the
// scenario's fields): a server point stands for the back-to-back points with the same key.
std::string served_configuration(const ResultRow& row);
// The energy per inference of a back-to-back row at `rate_qps`; nullopt when its throughput is
// below the rate or it has no idle power.
std::optional<double> derived_energy_at_rate_j(const ResultRow& row, double rate_qps);

enum class FrontierAxis { kEnergy, kLatency };

struct FrontierStep {
  size_t index = 0;                       // into the candidates
  double x = 0;                           // energy (J) or latency p99 (ms)
  double top1 = 0;
  std::optional<double> accuracy_per_joule;  // top-1 (fraction) / energy J
  // From the previous frontier point: extra x per extra accuracy point (absent for the first).
  std::optional<double> marginal_x_per_accuracy_point;
};

// The points no other point beats on both accuracy (higher) and x (lower), cheapest first.
// Candidates without latency are left out of the latency frontier.
std::vector<FrontierStep> pareto_frontier(const std::vector<Candidate>& candidates, FrontierAxis axis);

}  // namespace edgejoule

namespace edgejoule {

struct TrainedPredictor;

// Predicted candidates for what was not measured, from `predictor`:
//  - every measured (model, host, engine, device, precision) at each batch x threads of that
//    host's measured grid that has no point, with the measured accuracy of that combination
//    and the leave-one-configuration-out margin;
//  - each of `unprofiled` (rows holding a model's name, family, FLOPs, parameters and declared
//    accuracy with its dataset, e.g. from a zoo manifest) whose accuracy is on a dataset of the
//    measured points, at every fp32 configuration of the grid, with the leave-one-model-out margin.
// Each carries energy_upper_j = prediction x (1 + under-prediction q90), provenance
// "predicted:<model>" and point_id 0.
std::vector<Candidate> predicted_candidates(const std::vector<Candidate>& measured, const TrainedPredictor& predictor,
                                            const std::vector<ResultRow>& unprofiled = {});

}  // namespace edgejoule
