#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/config_fields.h"
#include "engines/registry.h"
#include "report/writers.h"

namespace edgejoule {
namespace {

std::string num(const std::optional<double>& v, int decimals) {
  return v ? fmt::format("{:.{}f}", *v, decimals) : "-";
}

}  // namespace

void write_table(std::ostream& out, const std::vector<ResultRow>& rows) {
  if (rows.empty()) {
    out << "no points stored yet: run 'edgejoule profile'\n";
    return;
  }
  // The configuration's columns: engine, device and precision always; each other field of the
  // table (core/config_fields.h) only where some row is not at its default, and the platform
  // setting only where some row has one (as llama-bench prints only the parameters a run varied).
  std::vector<const ConfigField*> knob_columns;
  for (const auto& field : config_fields()) {
    const bool shown = std::any_of(rows.begin(), rows.end(), [&](const ResultRow& r) {
      return knob_value(r.knobs, field.name) != field.default_value();
    });
    if (shown) knob_columns.push_back(&field);
  }
  const bool platform_column =
      std::any_of(rows.begin(), rows.end(), [](const ResultRow& r) { return !r.platform.empty(); });
  std::vector<std::string> header = {"model", "engine", "device", "prec"};
  for (const ConfigField* field : knob_columns) header.push_back(field->name);
  if (platform_column) header.emplace_back("platform");
  const size_t first_number = header.size();
  for (const char* h : {"batch", "threads", "p50_ms", "p99_ms", "cv_%", "samples/s", "mJ/inf", "W", "top1_%", "acc/J"}) {
    header.emplace_back(h);
  }
  const size_t first_text_after = header.size();
  header.emplace_back("status");
  // A fleet store's points come from several hosts: each row then says whose it is.
  std::set<std::string> hosts;
  for (const auto& r : rows) hosts.insert(r.hostname);
  const bool per_host = hosts.size() > 1;
  if (per_host) header.push_back("host");
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> notes;
  std::set<std::string> accuracy_sources;
  std::set<std::string> energy_sources;
  bool any_predicted = false, any_derived = false;
  for (const auto& r : rows) {
    std::string status = to_string(r.status);
    if (!r.reason.empty()) {
      notes.push_back(fmt::format("[{}] {} {} {} {} b{} t{}: {}", notes.size() + 1, r.model, r.engine,
                                  r.device, numeric_variant(r), r.batch, r.threads, r.reason));
      status += fmt::format(" [{}]", notes.size());
    }
    std::string top1 = num(r.top1, 1);
    if (r.top1) {
      top1 += r.accuracy_kind() == AccuracyProvenance::kDeclared ? " d" : " m";
      // Group by origin ("declared:torchvision-0.14.1"); the full source is in --json.
      const auto last_colon = r.accuracy_source.rfind(':');
      accuracy_sources.insert(last_colon > r.accuracy_source.find(':')
                                  ? r.accuracy_source.substr(0, last_colon)
                                  : r.accuracy_source);
    }
    std::string energy = "-";
    if (r.energy_j_per_inference) {
      const EnergyProvenance kind = r.energy_kind();
      any_predicted = any_predicted || kind == EnergyProvenance::kPredicted;
      energy = fmt::format("{:.3f} {}", *r.energy_j_per_inference * 1e3,
                           kind == EnergyProvenance::kEstimated   ? "e"
                           : kind == EnergyProvenance::kPredicted ? "p"
                           : kind == EnergyProvenance::kDerived   ? "d"
                                                                  : "m");
      any_derived = any_derived || kind == EnergyProvenance::kDerived;
      energy_sources.insert(r.meter.empty() ? r.energy_provenance : r.energy_provenance + " (" + r.meter + ")");
    }
    const std::optional<double> cv_pct =
        r.window_latency_ms_cv ? std::optional<double>(*r.window_latency_ms_cv * 100) : std::nullopt;
    std::vector<std::string> row = {r.model, r.engine, r.device, r.precision};
    // "-" where the field means nothing for the row: an engine that does not honour it, or a
    // field that applies with another (concurrency in the single-stream scenario).
    for (const ConfigField* field : knob_columns) {
      const bool meaningful = field->honoured_by(r.engine) && field_applies(*field, r.knobs);
      row.push_back(meaningful ? knob_value(r.knobs, field->name) : "-");
    }
    if (platform_column) row.push_back(r.platform.empty() ? "-" : r.platform);
    for (auto& cell : std::vector<std::string>{
             std::to_string(r.batch), std::to_string(r.threads), num(r.latency_ms_p50, 3), num(r.latency_ms_p99, 3),
             num(cv_pct, 1), num(r.throughput_sps, 1), energy, num(r.mean_power_w, 2), top1,
             r.accuracy_per_joule ? fmt::format("{:.3g}", *r.accuracy_per_joule) : "-", status}) {
      row.push_back(std::move(cell));
    }
    cells.push_back(std::move(row));
    if (per_host) cells.back().push_back(r.hostname);
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : cells) width[c] = std::max(width[c], row[c].size());
  }
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      // Text left-aligned, numbers right-aligned.
      const bool left = c < first_number || c >= first_text_after;
      line += left ? fmt::format("{:<{}}", row[c], width[c]) : fmt::format("{:>{}}", row[c], width[c]);
      if (c + 1 < row.size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  emit(header);
  for (const auto& row : cells) emit(row);
  out << "latency is per forward call of `batch` samples; cv_% is the window-to-window spread;\n"
         "mJ/inf is energy per inference (one sample), W the mean power during the windows\n";
  if (!energy_sources.empty()) {
    out << "mJ/inf: m = measured, e = ESTIMATED" << (any_predicted ? ", p = PREDICTED (not measured)" : "")
        << (any_derived ? ", d = DERIVED at a rate (from a back-to-back point and the idle power)" : "") << "; from";
    for (const auto& s : energy_sources) out << ' ' << s;
    out << '\n';
  }
  if (!accuracy_sources.empty()) {
    out << "top1_%: d = declared, m = measured; from";
    for (const auto& s : accuracy_sources) out << ' ' << s;
    out << " (per-model source in --json); acc/J = top-1 accuracy / joules per inference\n";
  }
  for (const auto& n : notes) out << n << '\n';
}

}  // namespace edgejoule

namespace edgejoule {

void write_engine_comparison(std::ostream& out, const std::vector<EngineComparison>& comparisons) {
  if (comparisons.empty()) return;
  out << "\nengines compared (VALID points of one model in one configuration):\n";
  for (const auto& c : comparisons) {
    std::vector<std::string> parts;
    for (const auto& e : c.entries) {
      parts.push_back(e.energy_j_per_inference
                          ? fmt::format("{} {:.3f} ms {:.3f} mJ", e.engine, e.latency_ms_p50, *e.energy_j_per_inference * 1e3)
                          : fmt::format("{} {:.3f} ms", e.engine, e.latency_ms_p50));
    }
    std::string line = fmt::format("  {} {}: {} -> faster: {} ({:.2f}x)", c.model, c.configuration,
                                   fmt::join(parts, " | "), c.fastest, c.speedup);
    if (!c.lowest_energy.empty()) {
      line += fmt::format(", less energy: {} ({})", c.lowest_energy, c.energy_provenance);
    }
    out << line << '\n';
  }
}

void write_scenario_comparison(std::ostream& out, const std::vector<ScenarioComparison>& comparisons) {
  if (comparisons.empty()) return;
  out << "\nscenarios compared (VALID points of one model, engine and configuration; mJ per inference, "
         "inferences/s):\n";
  for (const auto& c : comparisons) {
    std::vector<std::string> parts;
    for (const auto& e : c.entries) {
      std::string part = fmt::format("{} {:.3f} mJ {:.1f}/s", e.scenario, e.energy_j_per_inference * 1e3, e.throughput_sps);
      if (e.relative_to_single_stream) part += fmt::format(" ({:.2f}x)", *e.relative_to_single_stream);
      parts.push_back(part);
    }
    out << fmt::format("  {}: {} ({})\n", c.label, fmt::join(parts, " | "), c.energy_provenance);
  }
}

void write_output_checks(std::ostream& out, const std::vector<OutputCheck>& checks) {
  const EngineDescriptor* reference = reference_engine();
  out << fmt::format("output check against {} fp32 (same input, batch 1):\n",
                     reference ? reference->name : "the reference engine");
  out << fmt::format("  {:<22} {:<12} {:<9} {:>12} {:>10} {:>6}  {}\n", "model", "engine", "precision", "max_rel_diff",
                     "tolerance", "top1", "verdict");
  for (const auto& c : checks) {
    if (c.comparison) {
      out << fmt::format("  {:<22} {:<12} {:<9} {:>12.2e} {:>10.2g} {:>5.0f}%  {}\n", c.model, c.engine, c.precision,
                         c.comparison->max_rel_diff, c.comparison->tolerance, c.comparison->top1_agreement * 100,
                         c.verdict);
    } else {
      out << fmt::format("  {:<22} {:<12} {:<9} {:>12} {:>10} {:>6}  {}\n", c.model, c.engine, c.precision, "-", "-",
                         "-", c.verdict);
    }
  }
}

}  // namespace edgejoule

namespace edgejoule {

void write_runs_table(std::ostream& out, const std::vector<StoredRun>& runs) {
  if (runs.empty()) {
    out << "no runs stored: 'edgejoule run' runs a model under a budget and stores the run\n";
    return;
  }
  out << fmt::format("{:>4}  {:<20}  {:<16}  {:<11}  {:>13}  {:>10}  {:>10}  {:>7}  {:>8}  {:>8}\n", "id", "started (UTC)",
                     "host", "status", "inferences", "energy J", "budget J", "use", "top-1 %", "switches");
  std::set<std::string> provenances;
  for (const auto& r : runs) {
    provenances.insert(r.energy_provenance);
    out << fmt::format("{:>4}  {:<20}  {:<16}  {:<11}  {:>13}  {:>10}  {:>10.4g}  {:>7}  {:>8}  {:>8}\n", r.id,
                       r.started_at_utc, r.hostname.substr(0, 16), r.status + (r.degraded ? "*" : ""),
                       fmt::format("{}/{}", r.inferences_done, r.inferences_planned),
                       r.energy_j ? fmt::format("{:.4g}", *r.energy_j) : "-", r.budget_j,
                       r.energy_j ? fmt::format("{:.1f} %", 100 * *r.energy_j / r.budget_j) : "-",
                       r.top1 ? fmt::format("{:.2f}", *r.top1) : "-", r.switches);
  }
  for (const auto& r : runs) {
    if (!r.stop_reason.empty()) out << fmt::format("  run {}: {}\n", r.id, r.stop_reason);
  }
  bool degraded = false;
  for (const auto& r : runs) degraded = degraded || r.degraded;
  if (degraded) out << "  * degraded: went on at the cheapest configuration past the budget (--degrade)\n";
  std::string from;
  for (const auto& p : provenances) from += (from.empty() ? "" : ", ") + p;
  out << "energy from " << from << "; top-1 measured on each run's labelled inputs ('-': unlabelled)\n";
}

}  // namespace edgejoule
