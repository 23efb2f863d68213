// `zoo list`: a zoo's models (zoo/manifest.h list_zoo) as a table, with why an engine cannot run
// a model it was exported for and the quantised files' own accuracy under it, or as JSON.

#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "core/result_row.h"  // json_or_null
#include "report/writers.h"

namespace edgejoule {
namespace {

nlohmann::json file_accuracy_json(const ModelInfo& m) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [format, a] : m.file_accuracy) {
    out[format] = a.top1 ? nlohmann::json({{"top1", *a.top1}, {"top5", json_or_null(a.top5)}, {"source", a.source},
                                           {"dataset", a.dataset}})
                         : nlohmann::json({{"top1", nullptr}, {"not_applicable", a.not_applicable}});
  }
  return out;
}

}  // namespace

nlohmann::json zoo_listing_json(const std::vector<ZooModelListing>& listing) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& l : listing) {
    const ModelInfo& m = l.model;
    nlohmann::json runs = nlohmann::json::object();
    for (const auto& e : l.engines) {
      runs[e.engine] = e.runs ? nlohmann::json({{"runs", true}}) : nlohmann::json({{"runs", false}, {"reason", e.why}});
    }
    out.push_back({{"name", m.name}, {"family", m.family}, {"path", m.path}, {"files", m.files},
                   {"input_shape", m.sample_shape}, {"params", json_or_null(m.params)},
                   {"flops", json_or_null(m.flops)}, {"top1", json_or_null(m.top1)},
                   {"accuracy_source", m.accuracy_source}, {"engines", runs},
                   {"file_accuracy", file_accuracy_json(m)}});
  }
  return out;
}

void write_zoo_listing(std::ostream& out, const std::vector<ZooModelListing>& listing) {
  out << fmt::format("{:<22} {:<14} {:>9} {:>8} {:<12} {:>7}  {:<24}  {}\n", "model", "family", "params_M", "GMACs",
                     "sample", "top1_%", "engines", "accuracy source");
  std::vector<std::string> reasons;
  for (const auto& l : listing) {
    const ModelInfo& m = l.model;
    std::vector<std::string> runs;
    for (const auto& e : l.engines) {
      if (e.runs) {
        // "(+int8)" where the engine runs int8 from a file of its own (a quantised export).
        runs.push_back(e.engine + (e.own_int8_file ? "(+int8)" : ""));
      } else if (e.attempted) {
        // An export was attempted: say why this engine cannot run it.
        reasons.push_back(fmt::format("  {} / {}: {}", m.name, e.engine, e.why));
      }
    }
    out << fmt::format("{:<22} {:<14} {:>9} {:>8} {:<12} {:>7}  {:<24}  {}\n", m.name, m.family,
                       m.params ? fmt::format("{:.2f}", double(*m.params) / 1e6) : "-",
                       m.flops ? fmt::format("{:.3f}", double(*m.flops) / 2e9) : "-", format_shape(m.sample_shape),
                       m.top1 ? fmt::format("{:.2f}", *m.top1) : "-", runs.empty() ? "none" : join(runs, ","),
                       m.accuracy_source.empty() ? "none" : m.accuracy_source);
  }
  if (!reasons.empty()) {
    out << "\nnot runnable (model / engine: why):\n";
    for (const auto& r : reasons) out << r << '\n';
  }
  // Quantised files carry their own accuracy (or none), never the fp32 model's.
  std::vector<std::string> own;
  for (const auto& l : listing) {
    const ModelInfo& m = l.model;
    for (const auto& [format, a] : m.file_accuracy) {
      own.push_back(a.top1 ? fmt::format("  {} / {}: top-1 {:.2f} % ({}; fp32 {})", m.name, format, *a.top1, a.source,
                                         m.top1 ? fmt::format("{:.2f} %", *m.top1) : "-")
                           : fmt::format("  {} / {}: no accuracy ({})", m.name, format, a.not_applicable));
    }
  }
  if (!own.empty()) {
    out << "\nquantised files' accuracy (model / format):\n";
    for (const auto& line : own) out << line << '\n';
  }
}

}  // namespace edgejoule
