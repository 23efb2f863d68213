#include "recommend/comparisons.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "core/config_fields.h"

namespace edgejoule {
namespace {

// The rows `key` gives a non-empty key, grouped by it, groups in the order their first row came.
template <typename Key>
std::vector<std::vector<const ResultRow*>> groups_in_order(const std::vector<ResultRow>& rows, Key key) {
  std::map<std::string, size_t> index;
  std::vector<std::vector<const ResultRow*>> groups;
  for (const auto& r : rows) {
    const std::string k = key(r);
    if (k.empty()) continue;
    const auto [it, fresh] = index.try_emplace(k, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(&r);
  }
  return groups;
}

}  // namespace

std::vector<EngineComparison> compare_engines_per_model(const std::vector<ResultRow>& rows) {
  // Same model (by name: each engine loads its own file), host, device, precision, batch,
  // threads and energy source; only VALID points.
  const auto groups = groups_in_order(rows, [](const ResultRow& r) -> std::string {
    if (r.status != Verdict::kValid || !r.latency_ms_p50) return {};
    return fmt::format("{}|{}|{}|{}|{}|{}|{}", r.model, r.host_fingerprint, r.device, numeric_variant(r), r.batch,
                       r.threads, r.energy_provenance);
  });
  std::vector<EngineComparison> out;
  for (const auto& group : groups) {
    std::set<std::string> engines;
    for (const auto* r : group) engines.insert(r->engine);
    if (engines.size() < 2) continue;
    EngineComparison c;
    c.model = group.front()->model;
    c.configuration = fmt::format("{} {} b{} t{}", group.front()->device, numeric_variant(*group.front()),
                                  group.front()->batch, group.front()->threads);
    const ResultRow* fastest = group.front();
    const ResultRow* slowest = group.front();
    const ResultRow* frugal = nullptr;
    for (const auto* r : group) {
      c.entries.push_back({r->engine, *r->latency_ms_p50, r->energy_j_per_inference});
      if (*r->latency_ms_p50 < *fastest->latency_ms_p50) fastest = r;
      if (*r->latency_ms_p50 > *slowest->latency_ms_p50) slowest = r;
      if (r->energy_j_per_inference &&
          (!frugal || *r->energy_j_per_inference < *frugal->energy_j_per_inference)) {
        frugal = r;
      }
    }
    c.fastest = fastest->engine;
    c.speedup = *slowest->latency_ms_p50 / *fastest->latency_ms_p50;
    if (frugal) c.lowest_energy = frugal->engine;
    if (frugal) c.energy_provenance = frugal->energy_provenance;  // one per group (part of its key)
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<ScenarioComparison> compare_scenarios(const std::vector<ResultRow>& rows) {
  const auto groups = groups_in_order(rows, [](const ResultRow& r) -> std::string {
    if (r.status != Verdict::kValid || !r.energy_j_per_inference || !r.throughput_sps) return {};
    return fmt::format("{}|{}|{}|{}|{}{}|{}|{}|{}", r.model, r.engine, r.host_fingerprint, r.device, r.precision,
                       knob_labels(r.knobs, /*outputs_only=*/true), r.batch, r.threads, r.energy_provenance);
  });
  std::vector<ScenarioComparison> out;
  for (const auto& group : groups) {
    std::set<std::string> scenarios;
    const ResultRow* single = nullptr;
    for (const auto* r : group) {
      scenarios.insert(knob_value(r->knobs, "scenario"));
      if (knob_value(r->knobs, "scenario") == "single-stream") single = r;
    }
    if (group.size() < 2 || scenarios.size() < 2) continue;
    ScenarioComparison c;
    const ResultRow& f = *group.front();
    c.label = fmt::format("{} {} {} {}{} b{} t{}", f.model, f.engine, f.device, f.precision,
                          knob_labels(f.knobs, /*outputs_only=*/true), f.batch, f.threads);
    c.energy_provenance = f.energy_provenance;
    for (const auto* r : group) {
      ScenarioComparison::Entry e;
      const std::string scenario = knob_value(r->knobs, "scenario");
      e.scenario = scenario;
      if (scenario != "single-stream") e.scenario += fmt::format(" x{}", r->requests_in_flight);
      if (const auto rate = knob_number(r->knobs, "rate")) e.scenario += fmt::format(" at {:g}/s", *rate);
      KnobValues execution = r->knobs;
      for (const auto& field : config_fields()) {
        if (field.changes_outputs || field.engines.empty()) execution.erase(field.name);  // shown apart
      }
      e.scenario += knob_labels(execution);
      e.energy_j_per_inference = *r->energy_j_per_inference;
      e.throughput_sps = *r->throughput_sps;
      if (single && r != single) e.relative_to_single_stream = *r->energy_j_per_inference / *single->energy_j_per_inference;
      c.entries.push_back(std::move(e));
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace edgejoule
