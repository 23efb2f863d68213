// The frontier sweep replayed against a store where the whole grid was measured: the sweep's
// decisions run as in 'profile --strategy frontier', but "measuring" a point copies it from the
// grid store, so a change to the anchors or the stopping rule is judged in seconds, not in an
// hour of device time. Device time is the grid's own: the sum of the chosen points' measuring
// time (stored_at - started_at), next to the whole grid's; the cost models' refits are timed
// here. bench/frontier-vs-grid.sh runs the real thing; this is for tuning between real runs.
//
//   edgejoule_bench_frontier_replay GRID_DB ZOO_DIR OUT_DB [ROUND_SIZE] [MAX_BUDGET_J|-] [spread|reference]
//
// The last argument picks the anchors (FrontierSweepSettings::anchors; spread is profile's).
//
// OUT_DB is created afresh; run 'edgejoule frontier' or 'recommend' on it as on a real sweep's.

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>

#include "orchestrate/frontier_sweep.h"
#include "common/error.h"
#include "store/store.h"
#include "zoo/manifest.h"

namespace {

using namespace edgejoule;

double unix_seconds(const std::string& iso) {  // "2026-12-02T10:15:04Z" (whole seconds or with fraction)
  std::tm tm{};
  double fraction = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec) != 6) {
    return 0;
  }
  if (const auto dot = iso.find('.'); dot != std::string::npos) fraction = std::strtod(iso.c_str() + dot, nullptr);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + fraction;
}

std::string key(const std::string& sha, const std::string& config_key) { return sha + "|" + config_key; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s GRID_DB ZOO_DIR OUT_DB [ROUND_SIZE] [MAX_BUDGET_J|-] [spread|reference] [TOLERANCE]\n",
                 argv[0]);
    return 2;
  }
  try {
    const std::string grid_db = argv[1], zoo_dir = argv[2], out_db = argv[3];
    FrontierSweepSettings settings;
    if (argc > 4) settings.round_size = std::stoul(argv[4]);
    if (argc > 5 && std::string(argv[5]) != "-") settings.max_budget_j = std::stod(argv[5]);
    if (argc > 7) settings.tolerance = std::stod(argv[7]);
    if (argc > 6) settings.anchors = std::string(argv[6]) == "reference" ? AnchorPolicy::kReference : AnchorPolicy::kSpread;
    auto grid = open_store(grid_db, OpenMode::kReadOnly);
    std::filesystem::remove(out_db);
    auto out = open_store(out_db, OpenMode::kReadWrite);

    std::map<std::string, ModelInfo> by_name;
    for (auto& m : load_manifest(zoo_dir)) by_name.emplace(m.name, m);

    // The grid's points, raw (to copy) and with their measuring time.
    std::map<std::string, RawPoint> raw;
    std::map<std::string, double> seconds;
    std::optional<HostInfo> host;
    grid->for_each_raw_point([&](const RawPoint& p) {
      const std::string k = key(p.model.get("content_sha256").value_or(""), p.config.get("key").value_or(""));
      raw[k] = p;
      seconds[k] = unix_seconds(p.point.get("stored_at_utc").value_or("")) -
                   unix_seconds(p.point.get("started_at_utc").value_or(""));
      if (!host) {
        HostInfo h;
        h.hostname = p.host.get("hostname").value_or("");
        h.cpu_model = p.host.get("cpu_model").value_or("");
        h.cpu_cores = std::stoi(p.host.get("cpu_cores").value_or("0"));
        h.memory_mb = std::stoll(p.host.get("memory_mb").value_or("0"));
        h.os = p.host.get("os").value_or("");
        h.kernel = p.host.get("kernel").value_or("");
        h.gpu_name = p.host.get("gpu_name").value_or("");
        h.gpu_driver = p.host.get("gpu_driver").value_or("");
        h.engine_versions = p.host.get("engine_versions").value_or("");
        h.blas.name = p.host.get("blas").value_or("");
        h.blas.library = p.host.get("blas_library").value_or("");
        host = h;
      }
    });
    if (!host) throw Error("the grid store " + grid_db + " holds no points");

    // The sweep's items: every stored point of the grid, its model as the manifest has it (with
    // the operators) but on the engine's own file, as profile's plan does.
    std::vector<SweepItem> items;
    double grid_seconds = 0;
    for (const auto& row : grid->rows({})) {
      const auto m = by_name.find(row.model);
      if (m == by_name.end()) continue;
      SweepItem item;
      item.model = m->second;
      item.model.content_sha256 = row.model_sha256;
      item.model.path = row.model_path;
      item.config = configuration_of(row);
      if (row.status == Verdict::kUnsupported) item.unsupported_reason = row.reason;
      grid_seconds += seconds[key(row.model_sha256, item.config.key())];
      items.push_back(std::move(item));
    }

    double measured_seconds = 0, copy_seconds = 0;
    const auto start = std::chrono::steady_clock::now();
    const FrontierSweepResult result = run_frontier_sweep(
        items, *out, *host,
        [&](const std::vector<SweepItem>& round) {
          const auto t0 = std::chrono::steady_clock::now();
          SweepOutcome outcome;
          for (const auto& item : round) {
            const std::string k = key(item.model.content_sha256, item.config.key());
            const auto it = raw.find(k);
            if (it == raw.end()) continue;
            out->merge_point(it->second, false);
            measured_seconds += seconds[k];
            ++(item.unsupported_reason.empty() ? outcome.measured : outcome.unsupported);
          }
          copy_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          return outcome;
        },
        settings);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    write_skipped(stderr, result);
    std::printf("grid: %zu points, %.0f s measuring\n", items.size(), grid_seconds);
    std::printf("frontier (replayed): %zu points measured in %zu rounds, %.0f s measuring (%.0f %% of the grid's), "
                "%.1f s refitting; %s\n",
                result.outcome.measured + result.outcome.unsupported, result.rounds, measured_seconds,
                grid_seconds > 0 ? 100 * measured_seconds / grid_seconds : 0.0, wall - copy_seconds,
                result.settled ? "settled" : "not settled");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "frontier replay: %s\n", e.what());
    return 1;
  }
}
