#include <nlohmann/json.hpp>

#include "report/writers.h"

namespace edgejoule {

void write_json(std::ostream& out, const std::vector<ResultRow>& rows) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& r : rows) array.push_back(r);
  out << array.dump(2) << '\n';
}

}  // namespace edgejoule
