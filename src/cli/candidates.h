#pragma once
// Shared by recommend, frontier, evaluate and report: the candidate flags and their loading.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "orchestrate/answers.h"
#include "recommend/answers.h"
#include "recommend/recommend.h"
#include "report/writers.h"
#include "store/store.h"

namespace CLI {
class App;
}

namespace edgejoule {

// The flags of which stored points are candidates (--db, --host, --device, --dataset,
// --energy-source) and of a serving rate (--rate), onto the query orchestrate/answers.h loads.
using CandidateFlags = CandidateQuery;
void add_candidate_options(CLI::App* cmd, CandidateQuery& flags);
void add_rate_option(CLI::App* cmd, CandidateQuery& flags);
std::vector<ResultRow> rows_of(const std::vector<Candidate>& candidates);

}  // namespace edgejoule
