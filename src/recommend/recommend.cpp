#include "recommend/recommend.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace edgejoule {
namespace {

// The constraints a candidate breaks as bits (kConstraintNames' order): the recommender asks
// this of every candidate several times, so it builds no strings.
const char* const kConstraintNames[] = {kEnergyConstraint, kLatencyConstraint, kAccuracyConstraint, kMemoryConstraint};
constexpr unsigned kEnergyBit = 1u << 0;

unsigned broken_constraints(const Candidate& c, const Constraints& k) {
  unsigned out = 0;
  if (k.energy_budget_j > 0 && c.budget_energy_j() > k.energy_budget_j) out |= kEnergyBit;
  if (k.latency_ms_p99) {
    const auto latency = c.predicted && c.latency_ms_p99_upper ? c.latency_ms_p99_upper : c.latency_ms_p99;
    if (!latency || *latency > *k.latency_ms_p99) out |= 1u << 1;
  }
  if (k.min_accuracy && c.top1 < *k.min_accuracy) out |= 1u << 2;
  if (k.max_memory_mb && (!c.memory_mb || *c.memory_mb > *k.max_memory_mb)) out |= 1u << 3;
  return out;
}

// True when `c` meets every constraint but those in the mask `ignore`.
bool fits_except(const Candidate& c, const Constraints& constraints, unsigned ignore) {
  return (broken_constraints(c, constraints) & ~ignore) == 0;
}

// The best candidate among those that meet `constraints`, ignoring those in the mask `ignore`.
std::optional<size_t> best_fitting(const std::vector<Candidate>& candidates, const Constraints& constraints,
                                   Objective objective, unsigned ignore) {
  std::optional<size_t> best;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!fits_except(candidates[i], constraints, ignore)) continue;
    if (!best || better(candidates[i], candidates[*best], objective)) best = i;
  }
  return best;
}

// "label@hostname" of a against b, as strcmp orders them, without building either string (a
// sort of 100,000 candidates with equal figures compares them many times).
int compare_label_at_host(const Candidate& a, const Candidate& b) {
  const std::string& la = a.label();
  const std::string& lb = b.label();
  auto at = [](const std::string& label, const std::string& host, size_t i) -> int {
    if (i < label.size()) return static_cast<unsigned char>(label[i]);
    if (i == label.size()) return '@';
    i -= label.size() + 1;
    return i < host.size() ? static_cast<unsigned char>(host[i]) : -1;
  };
  const size_t n = std::max(la.size() + 1 + a.row.hostname.size(), lb.size() + 1 + b.row.hostname.size());
  for (size_t i = 0; i < n; ++i) {
    const int ca = at(la, a.row.hostname, i), cb = at(lb, b.row.hostname, i);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

double objective_value(const Candidate& c, Objective objective) {
  switch (objective) {
    case Objective::kAccuracy: return c.top1;
    case Objective::kAccuracyPerJoule: return c.energy_j_per_inference > 0 ? c.top1 / c.energy_j_per_inference : 0;
    case Objective::kEnergy: return -c.energy_j_per_inference;
  }
  return 0;
}

}  // namespace

const std::string& Candidate::label() const {
  if (label_.empty()) label_ = row.model + " " + configuration_label(row);
  return label_;
}

std::optional<EnergySource> energy_source_from_string(const std::string& text) {
  if (text == "auto") return EnergySource::kAuto;
  if (text == "measured") return EnergySource::kMeasured;
  if (text == "estimated") return EnergySource::kEstimated;
  if (text == "any") return EnergySource::kAny;
  return std::nullopt;
}

std::optional<Objective> objective_from_string(const std::string& text) {
  if (text == "accuracy") return Objective::kAccuracy;
  if (text == "accuracy-per-joule") return Objective::kAccuracyPerJoule;
  if (text == "energy") return Objective::kEnergy;
  return std::nullopt;
}

const char* to_string(Objective objective) {
  switch (objective) {
    case Objective::kAccuracy: return "accuracy";
    case Objective::kAccuracyPerJoule: return "accuracy-per-joule";
    case Objective::kEnergy: return "energy";
  }
  return "?";
}

namespace {

bool measured_energy(const ResultRow& r) { return r.energy_kind() == EnergyProvenance::kMeasured; }

// Whether a row can be chosen from, or why not.
enum class RowUse { kUsable, kFilteredOut, kNotValid, kWithoutEnergy, kWithoutAccuracy };

// VALID rows with energy that pass the filter (and carry accuracy, when required) are usable.
RowUse use_of(const ResultRow& r, const CandidateFilter& filter, bool require_accuracy) {
  if ((!filter.hostname.empty() && r.hostname != filter.hostname) ||
      (!filter.device.empty() && r.device != filter.device) ||
      (!filter.accuracy_dataset.empty() && r.accuracy_dataset != filter.accuracy_dataset)) {
    return RowUse::kFilteredOut;
  }
  if (r.status != Verdict::kValid) return RowUse::kNotValid;
  if (!r.energy_j_per_inference || *r.energy_j_per_inference <= 0) return RowUse::kWithoutEnergy;
  if (require_accuracy && !r.top1) return RowUse::kWithoutAccuracy;
  return RowUse::kUsable;
}

void count_left_out(RowUse use, CandidateSet& set) {
  switch (use) {
    case RowUse::kFilteredOut: ++set.filtered_out; break;
    case RowUse::kNotValid: ++set.not_valid; break;
    case RowUse::kWithoutEnergy: ++set.without_energy; break;
    case RowUse::kWithoutAccuracy: ++set.without_accuracy; break;
    case RowUse::kUsable: break;
  }
}

// One kind of energy: kAuto takes measured figures where any usable row has them, else estimates.
EnergySource resolved(EnergySource wanted, bool any_measured) {
  if (wanted != EnergySource::kAuto) return wanted;
  return any_measured ? EnergySource::kMeasured : EnergySource::kEstimated;
}

bool of_source(const ResultRow& r, EnergySource source) {
  if (source == EnergySource::kMeasured) return measured_energy(r);
  if (source == EnergySource::kEstimated) return !measured_energy(r);
  return true;
}

}  // namespace

std::vector<ResultRow> rows_with_energy(const std::vector<ResultRow>& rows, const CandidateFilter& filter) {
  std::vector<const ResultRow*> usable;
  bool any_measured = false;
  for (const auto& r : rows) {
    if (use_of(r, filter, false) != RowUse::kUsable) continue;
    any_measured |= measured_energy(r);
    usable.push_back(&r);
  }
  const EnergySource source = resolved(filter.energy_source, any_measured);
  std::vector<ResultRow> out;
  for (const ResultRow* r : usable) {
    if (of_source(*r, source)) out.push_back(*r);
  }
  return out;
}

std::string datasets_listed(const CandidateSet& set) {
  std::string list;
  for (const auto& [name, n] : set.datasets) {
    list += fmt::format("{}{} ({} points)", list.empty() ? "" : ", ", name.empty() ? "(unnamed)" : name, n);
  }
  return list;
}

CandidateCollector::CandidateCollector(CandidateFilter filter) : filter_(std::move(filter)) {}

void CandidateCollector::expect(size_t rows) { set_.candidates.reserve(rows); }

void CandidateCollector::take(ResultRow&& row) { add_row(std::move(row)); }

void CandidateCollector::add(const ResultRow& row) { add_row(row); }

template <class Row>
void CandidateCollector::add_row(Row&& row) {
  ++set_.rows;
  const RowUse use = use_of(row, filter_, true);
  if (use != RowUse::kUsable) return count_left_out(use, set_);
  any_measured_ |= measured_energy(row);
  any_estimated_ |= !measured_energy(row);
  Candidate& c = set_.candidates.emplace_back();
  c.row = std::forward<Row>(row);
  const ResultRow& r = c.row;
  c.energy_j_per_inference = *r.energy_j_per_inference;
  c.energy_ci95_j = r.energy_j_per_inference_ci95.value_or(0);
  c.top1 = *r.top1;
  c.latency_ms_p99 = r.latency_ms_p99;
  c.memory_mb = r.peak_rss_mb;
  c.energy_upper_j = c.energy_j_per_inference;
}

CandidateSet CandidateCollector::finish() {
  CandidateSet set = std::move(set_);
  set_ = CandidateSet{};
  const EnergySource source = resolved(filter_.energy_source, any_measured_);
  set.energy_source = source;
  // Measured and estimated figures are never compared unless asked (kAny).
  const auto other = std::remove_if(set.candidates.begin(), set.candidates.end(),
                                    [&](const Candidate& c) { return !of_source(c.row, source); });
  set.other_energy_kind = static_cast<size_t>(set.candidates.end() - other);
  set.candidates.erase(other, set.candidates.end());
  // Rows come grouped by model, so the dataset is mostly the previous row's.
  auto counted = set.datasets.end();
  for (const auto& c : set.candidates) {
    if (counted == set.datasets.end() || counted->first != c.row.accuracy_dataset) {
      counted = set.datasets.try_emplace(c.row.accuracy_dataset, 0).first;
    }
    ++counted->second;
  }
  switch (source) {
    case EnergySource::kMeasured: set.energy_kind = "measured"; break;
    case EnergySource::kEstimated: set.energy_kind = "estimated"; break;
    default:
      set.energy_kind = any_measured_ && any_estimated_ ? "measured and estimated"
                        : any_measured_                 ? "measured"
                                                        : "estimated";
  }
  if (set.other_energy_kind) {
    set.notes.push_back(fmt::format("{} point(s) with {} energy left out so that measured and estimated "
                                    "figures are not compared (--energy-source chooses)",
                                    set.other_energy_kind, source == EnergySource::kMeasured ? "estimated" : "measured"));
  }
  if (set.energy_kind == "estimated" && !set.candidates.empty()) {
    set.notes.push_back("every energy figure here is ESTIMATED from CPU time, not measured: profile on a "
                        "machine with an energy meter for measured figures");
  }
  if (set.energy_kind == "measured and estimated") {
    set.notes.push_back("measured and estimated energy figures are compared together (--energy-source any)");
  }
  if (set.without_accuracy) {
    set.notes.push_back(fmt::format("{} VALID point(s) without accuracy left out: profile with --dataset "
                                    "or use a zoo whose manifest declares accuracy",
                                    set.without_accuracy));
  }
  if (set.without_energy) {
    set.notes.push_back(fmt::format("{} VALID point(s) without energy (profiled with --meter none) left out",
                                    set.without_energy));
  }
  if (set.not_valid) {
    set.notes.push_back(fmt::format("{} INVALID or UNSUPPORTED point(s) not considered", set.not_valid));
  }
  any_measured_ = any_estimated_ = false;
  return set;
}

CandidateSet candidates_from_rows(const std::vector<ResultRow>& rows, const CandidateFilter& filter) {
  CandidateCollector collect(filter);
  collect.expect(rows.size());
  for (const auto& r : rows) collect.add(r);
  return collect.finish();
}

CandidateSet candidates_from_rows(std::vector<ResultRow>&& rows, const CandidateFilter& filter) {
  CandidateCollector collect(filter);
  collect.expect(rows.size());
  for (auto& r : rows) collect.take(std::move(r));
  return collect.finish();
}

std::vector<std::string> violated_constraints(const Candidate& c, const Constraints& k) {
  const unsigned broken = broken_constraints(c, k);
  std::vector<std::string> out;
  for (unsigned bit = 0; bit < 4; ++bit) {
    if (broken & (1u << bit)) out.emplace_back(kConstraintNames[bit]);
  }
  return out;
}

bool better(const Candidate& a, const Candidate& b, Objective objective) {
  const double va = objective_value(a, objective);
  const double vb = objective_value(b, objective);
  if (va != vb) return va > vb;
  if (a.top1 != b.top1) return a.top1 > b.top1;
  if (a.energy_j_per_inference != b.energy_j_per_inference) return a.energy_j_per_inference < b.energy_j_per_inference;
  const double la = a.latency_ms_p99.value_or(std::numeric_limits<double>::infinity());
  const double lb = b.latency_ms_p99.value_or(std::numeric_limits<double>::infinity());
  if (la != lb) return la < lb;
  if (a.predicted != b.predicted) return !a.predicted;  // a measured point over a predicted twin
  const int by_key = compare_label_at_host(a, b);
  if (by_key != 0) return by_key < 0;
  return a.row.point_id < b.row.point_id;
}

Recommendation recommend(const std::vector<Candidate>& candidates, const Constraints& constraints,
                         Objective objective, size_t runners_up) {
  Recommendation rec;
  std::vector<size_t> feasible;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (broken_constraints(candidates[i], constraints) == 0) feasible.push_back(i);
  }
  rec.feasible = feasible.size();
  // Only the choice and its runners-up are shown: order just those.
  const size_t shown = std::min(feasible.size(), runners_up + 1);
  std::partial_sort(feasible.begin(), feasible.begin() + static_cast<std::ptrdiff_t>(shown), feasible.end(),
                    [&](size_t a, size_t b) { return better(candidates[a], candidates[b], objective); });

  if (!feasible.empty()) {
    rec.chosen = feasible.front();
    for (size_t i = 1; i < feasible.size() && rec.runners_up.size() < runners_up; ++i) {
      rec.runners_up.push_back(feasible[i]);
    }
    const Candidate& chosen = candidates[*rec.chosen];
    if (constraints.energy_budget_j > 0) rec.budget_use = chosen.energy_j_per_inference / constraints.energy_budget_j;
    bool any_better = false;
    for (const auto& c : candidates) any_better |= better(c, chosen, objective);
    for (unsigned bit = 0; bit < 4; ++bit) {
      const auto relaxed = best_fitting(candidates, constraints, objective, 1u << bit);
      if (relaxed && better(candidates[*relaxed], chosen, objective)) rec.binding.emplace_back(kConstraintNames[bit]);
    }
    if (!any_better) {
      rec.binding_note = fmt::format("no stored point is better by {}: no constraint binds", to_string(objective));
    } else if (rec.binding.empty()) {
      rec.binding_note = "the better points each break more than one constraint";
    }
    // The next step up in accuracy, whatever it costs in energy.
    for (size_t i = 0; i < candidates.size(); ++i) {
      const Candidate& c = candidates[i];
      if (c.top1 <= chosen.top1 || !fits_except(c, constraints, kEnergyBit)) continue;
      if (rec.next_step) {
        const Candidate& n = candidates[rec.next_step->index];
        if (c.budget_energy_j() > n.budget_energy_j() ||
            (c.budget_energy_j() == n.budget_energy_j() && !better(c, n, Objective::kAccuracy))) {
          continue;
        }
      }
      NextStep step;
      step.index = i;
      step.extra_energy_j = c.budget_energy_j() - chosen.energy_j_per_inference;
      step.extra_accuracy = c.top1 - chosen.top1;
      step.joules_per_accuracy_point = step.extra_energy_j / step.extra_accuracy;
      step.blocked_by = violated_constraints(c, constraints);
      rec.next_step = step;
    }
    return rec;
  }

  // Nothing fits: what would, and what it needs.
  for (unsigned bit = 0; bit < 4; ++bit) {
    if (best_fitting(candidates, constraints, objective, 1u << bit)) rec.binding.emplace_back(kConstraintNames[bit]);
  }
  auto cheapest_among = [&](bool only_if_rest_fits) -> std::optional<size_t> {
    std::optional<size_t> best;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (only_if_rest_fits && !fits_except(candidates[i], constraints, kEnergyBit)) continue;
      if (!best || candidates[i].budget_energy_j() < candidates[*best].budget_energy_j() ||
          (candidates[i].budget_energy_j() == candidates[*best].budget_energy_j() &&
           better(candidates[i], candidates[*best], Objective::kAccuracy))) {
        best = i;
      }
    }
    return best;
  };
  rec.cheapest = cheapest_among(true);
  if (!rec.cheapest) rec.cheapest = cheapest_among(false);
  if (rec.cheapest) rec.cheapest_breaks = violated_constraints(candidates[*rec.cheapest], constraints);
  return rec;
}

std::vector<FrontierStep> pareto_frontier(const std::vector<Candidate>& candidates, FrontierAxis axis) {
  // Sorting (cost, accuracy, index), not the candidates, keeps the comparisons in cache.
  struct Entry {
    double x, top1;
    size_t index;
  };
  std::vector<Entry> order;
  order.reserve(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    if (axis == FrontierAxis::kLatency && !c.latency_ms_p99) continue;
    order.push_back({axis == FrontierAxis::kEnergy ? c.energy_j_per_inference : *c.latency_ms_p99, c.top1, i});
  }
  // Cheapest first; at equal cost the most accurate first, so it alone may enter the frontier.
  std::sort(order.begin(), order.end(), [](const Entry& a, const Entry& b) {
    return a.x != b.x ? a.x < b.x : a.top1 > b.top1;
  });
  std::vector<FrontierStep> frontier;
  double best_top1 = -std::numeric_limits<double>::infinity();
  for (size_t first = 0, next = 0; first < order.size(); first = next) {
    next = first + 1;
    while (next < order.size() && order[next].x == order[first].x && order[next].top1 == order[first].top1) ++next;
    if (order[first].top1 <= best_top1) continue;  // dominated, whichever of them stands for the group
    // Of points with equal cost and accuracy, the one `better` prefers stands for them.
    size_t i = order[first].index;
    for (size_t k = first + 1; k < next; ++k) {
      if (better(candidates[order[k].index], candidates[i], Objective::kAccuracy)) i = order[k].index;
    }
    const double x = order[first].x;
    const Candidate& c = candidates[i];
    FrontierStep step;
    step.index = i;
    step.x = x;
    step.top1 = c.top1;
    step.accuracy_per_joule = accuracy_per_joule(c.top1, c.energy_j_per_inference);
    if (!frontier.empty()) {
      step.marginal_x_per_accuracy_point = (step.x - frontier.back().x) / (step.top1 - frontier.back().top1);
    }
    frontier.push_back(step);
    best_top1 = c.top1;
  }
  return frontier;
}

std::string group_of(const ResultRow& row, GroupBy by) {
  return by == GroupBy::kHost ? row.hostname : row.device_class;
}

std::vector<GroupChoice> recommend_by_group(const std::vector<Candidate>& candidates, const Constraints& constraints,
                                            Objective objective, GroupBy by) {
  std::map<std::string, GroupChoice> groups;
  for (size_t i = 0; i < candidates.size(); ++i) {
    GroupChoice& g = groups[group_of(candidates[i].row, by)];
    g.members.push_back(i);
    if (std::find(g.hosts.begin(), g.hosts.end(), candidates[i].row.hostname) == g.hosts.end()) {
      g.hosts.push_back(candidates[i].row.hostname);
    }
  }
  if (groups.size() < 2) return {};
  std::vector<GroupChoice> out;
  for (auto& entry : groups) {  // not a structured binding: C++17 lambdas cannot capture one
    GroupChoice& g = entry.second;
    g.group = entry.first;
    std::sort(g.hosts.begin(), g.hosts.end());
    std::vector<Candidate> subset;
    for (size_t i : g.members) subset.push_back(candidates[i]);
    Recommendation rec = recommend(subset, constraints, objective, 0);
    // Back to indices into every candidate.
    auto full = [&g](size_t i) { return g.members[i]; };
    if (rec.chosen) rec.chosen = full(*rec.chosen);
    if (rec.cheapest) rec.cheapest = full(*rec.cheapest);
    if (rec.next_step) rec.next_step->index = full(rec.next_step->index);
    for (auto& r : rec.runners_up) r = full(r);
    g.recommendation = std::move(rec);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace edgejoule
