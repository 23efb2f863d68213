#pragma once
// recommend's and frontier's answers from a store: the candidates loaded and filtered, the cost
// model's predictions added where asked, the choice and the frontier made (recommend/). Throws
// Error with the sentence the user acts on (nothing stored, several datasets, a bad budget).

#include <string>
#include <vector>

#include "core/result_row.h"
#include "recommend/answers.h"

namespace edgejoule {

// Every stored point, unsorted; resolves query.energy_source into query.filter.
std::vector<ResultRow> load_rows(CandidateQuery& query);
// The candidates (at query.rate_qps where given); throws when they span several accuracy
// datasets and the filter names none.
CandidateSet load_candidates(CandidateQuery& query);

RecommendAnswer answer_recommend(const RecommendQuery& query);
FrontierAnswer answer_frontier(CandidateQuery query, FrontierAxis axis);
// `zoos`: zoo folders whose manifests hold the models' operators (the graph model); `remeasured`:
// stores holding the same points measured again (the noise floor).
PredictionErrors answer_predict(CandidateQuery query, const std::vector<std::string>& zoos,
                                const std::vector<std::string>& remeasured);

}  // namespace edgejoule
