#pragma once
// Shared by recommend, frontier, evaluate and report: the candidate flags and their loading.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "recommend/recommend.h"
#include "report/writers.h"
#include "store/store.h"

namespace CLI {
class App;
}

namespace edgejoule {

struct CandidateFlags {
  std::string db = kDefaultDbPath;
  CandidateFilter filter;
  std::string energy_source = "auto";
  // A device serving this many inferences per second (recommend/frontier --rate): server points
  // at the rate, or figures derived from back-to-back points; without it, back-to-back points.
  std::optional<double> rate_qps;
};

void add_candidate_options(CLI::App* cmd, CandidateFlags& flags);
void add_rate_option(CLI::App* cmd, CandidateFlags& flags);
// Every stored point, unsorted (resolves flags.energy_source into flags.filter).
std::vector<ResultRow> load_rows(CandidateFlags& flags);
// The candidates (for flags.rate_qps, recommend/recommend.h candidates_for_rate); throws when
// they span several accuracy datasets and --dataset is not given.
CandidateSet load_candidates(CandidateFlags& flags);
std::vector<ResultRow> rows_of(const std::vector<Candidate>& candidates);

}  // namespace edgejoule
