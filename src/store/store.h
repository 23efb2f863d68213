#pragma once
// The profile store. SQLite is the embedded default (sqlite_store.cpp); PostgreSQL is the fleet
// store many devices write to (postgres_store.cpp, with the queue of shared sweeps, fleet.h).
// Both run the same SQL (sql_store.h) on the same logical schema. Commands open a store by its
// URI (open_store); tests/store/store_contract_test.cpp is the contract every backend passes.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/host.h"
#include "core/records.h"
#include "core/result_row.h"

namespace edgejoule {

inline constexpr int kSchemaVersion = 9;
inline constexpr const char* kDefaultDbPath = "edgejoule.db";
// How long profile and merge wait out an unreachable fleet store (Store::ride_out_outages) before
// they give up with what they stored so far kept.
inline constexpr double kRideOutOutagesS = 120;
inline constexpr const char* kDbHelp =
    "The store: an SQLite file (PATH or sqlite:PATH; created by profile when absent), or the fleet "
    "store on a PostgreSQL server (postgresql://USER@HOST:PORT/DB; password from PGPASSWORD or ~/.pgpass)";

// kReadOnly never creates a file and writes only to migrate an older schema (when it can).
enum class OpenMode { kReadWrite, kReadOnly };

struct RowFilter {
  std::string model;    // exact name; empty = all
  std::optional<Verdict> status;  // absent = all
  std::string host_fingerprint;  // empty = every host
  bool sorted = true;  // by host, model and configuration; off where order does not matter (faster)
};

// One run of 'edgejoule evaluate', flat so the store needs nothing of the recommender.
struct StoredEvaluationRow {
  int budget_index = 0;
  double energy_budget_j = 0;
  std::optional<int64_t> point_id;  // the pick, when it is a stored point
  bool predicted = false;
  std::string label;
  std::optional<double> top1, expected_energy_j, remeasured_energy_j, remeasured_energy_ci95_j;
  std::string remeasure_status;
  std::string effective_json;  // what the engine applied when the pick was measured again ("" if not)
  std::optional<double> budget_use;
  bool violation = false;
  std::optional<int64_t> oracle_point_id;
  std::optional<double> oracle_top1, regret_pct, prediction_error_pct;
};
struct StoredEvaluation {
  std::string host_fingerprint;
  std::string settings_json;
  int violations = 0;
  std::optional<double> budget_use_median, budget_use_worst, regret_median_pct, regret_worst_pct;
  std::vector<StoredEvaluationRow> rows;
};

// One run under a budget ('edgejoule run'): a record of its own, never a point. The columns are
// what lists and filters need; `record_json` holds the whole record (configurations, their
// shares and time, switches, events) as `run --json` prints it.
struct StoredRun {
  int64_t id = 0;  // given by save_run
  std::string started_at_utc, ended_at_utc;
  std::string hostname, host_fingerprint;
  std::string status;       // "completed" | "stopped" | "interrupted"
  std::string stop_reason;  // "" when completed
  double budget_j = 0;
  std::optional<double> energy_j;  // absent when the meter could not be read at the end
  std::string energy_provenance;   // "measured:<meter>" or "estimated:cpu-time"
  int64_t inferences_planned = 0, inferences_done = 0;
  std::optional<double> top1;      // measured on the run's labelled inputs
  std::string accuracy_source;     // "measured:fmnist:test:<inferences>", or "" when unlabelled
  int64_t switches = 0;
  bool degraded = false;
  std::string record_json;
};

// One stored point with everything the store keeps about it, column by column as text that
// reads back exactly: what `merge` copies between stores (and backends) without knowing the
// fields. Evaluations are not part of it: they stay in the store they ran on.
struct RawRow {
  std::vector<std::pair<std::string, std::optional<std::string>>> columns;
  std::optional<std::string> get(const std::string& name) const {
    for (const auto& [column, value] : columns) {
      if (column == name) return value;
    }
    return std::nullopt;
  }
};
struct RawPoint {
  RawRow point, host, model, config;
  std::vector<RawRow> windows;
  std::optional<std::string> model_path;  // the model's path on the point's host
};
enum class MergeOutcome { kAdded, kKept, kReplaced };

// A point a frontier sweep left unmeasured, with what a cost model predicted for it: kept apart
// from measured points (a table of its own), and dropped when the point itself is stored.
struct PredictionRecord {
  ModelInfo model;
  Configuration config;
  std::string predictor;  // the cost model's name
  double energy_j_per_inference = 0;
  std::optional<double> latency_ms_p50;
  double margin = 0;   // the relative error the decision allowed for (0.3 = 30 %)
  std::string reason;  // why it was not measured
};
// A stored prediction as a row (status PREDICTED, energy provenance "predicted:<predictor>",
// the reason saying why it was left unmeasured) with its margin and when it was made.
struct StoredPrediction {
  ResultRow row;
  double margin = 0;
  std::string predicted_at_utc;
};

class FleetQueue;  // store/fleet.h

class Store {
 public:
  // While the store's server is unreachable, reconnect (with growing, jittered waits) and run the
  // operation in flight again, for up to `give_up_s` seconds (infinity: never give up); then throw
  // Error (exit 1) naming the store and how long it tried. `say` hears each loss and recovery.
  // By default (and for SQLite, which has no server) an operation fails at the first loss.
  virtual void ride_out_outages(double /*give_up_s*/, std::function<void(const std::string&)> /*say*/ = {}) {}
  virtual ~Store() = default;
  struct StoredPoint {
    Verdict status = Verdict::kValid;
    std::string measured_accuracy_source;  // "" when no accuracy was measured
    std::string engine_version;            // of the engine that measured it ("" when unknown)
  };
  // The stored point for (model content, configuration, host), if any.
  virtual std::optional<StoredPoint> stored_point(const std::string& model_sha256,
                                                  const std::string& config_key,
                                                  const std::string& host_fingerprint) = 0;
  std::optional<Verdict> point_status(const std::string& model_sha256, const std::string& config_key,
                                      const std::string& host_fingerprint) {
    const auto p = stored_point(model_sha256, config_key, host_fingerprint);
    return p ? std::optional<Verdict>(p->status) : std::nullopt;
  }
  bool has_point(const std::string& model_sha256, const std::string& config_key,
                 const std::string& host_fingerprint) {
    return stored_point(model_sha256, config_key, host_fingerprint).has_value();
  }
  // Stores one finished point with its windows in one transaction, and the model's path on this
  // host. With `replace`, an earlier point for the same (model, configuration, host) is
  // replaced in that same transaction; without it, a point that another process stored
  // meanwhile with the same engine version is kept and this one is dropped (returns false),
  // while one measured by another version of the engine is replaced (the version keys a point).
  virtual bool save_point(const PointRecord& record, const HostInfo& host, bool replace) = 0;
  virtual std::vector<ResultRow> rows(const RowFilter& filter) = 0;
  // The same rows handed to `sink` one at a time, in the same order.
  virtual void each_row(const RowFilter& filter, RowSink& sink) {
    std::vector<ResultRow> all = rows(filter);
    sink.expect(all.size());
    for (auto& row : all) sink.take(std::move(row));
  }
  // Stores an evaluation run with its rows in one transaction; returns the run's id.
  virtual int64_t save_evaluation(const StoredEvaluation& evaluation) = 0;
  // Stores a run under a budget; returns its id.
  virtual int64_t save_run(const StoredRun& run) = 0;
  // Every stored run, oldest first.
  virtual std::vector<StoredRun> runs() = 0;
  // Stores a sweep's predictions for `host` in one transaction, each replacing an earlier
  // prediction of the same (model, configuration, host). A point already measured there gets
  // none: measurements and predictions never describe the same point.
  virtual void save_predictions(const std::vector<PredictionRecord>& predictions, const HostInfo& host) = 0;
  // The stored predictions (filter: model, host; status is PREDICTED by definition).
  virtual std::vector<StoredPrediction> predictions(const RowFilter& filter) = 0;
  // Where the store is, for messages: a file path, or a server URI without its password.
  virtual std::string location() const = 0;
  // Every stored point, in storing order (merge's source).
  virtual void for_each_raw_point(const std::function<void(const RawPoint&)>& visit) = 0;
  // Adds a point from another store with its host, model, configuration and windows, in one
  // transaction. A copy already here (same model content, configuration and host) is kept,
  // unless `replace_newer` and the incoming one was stored later. Merging twice adds nothing.
  virtual MergeOutcome merge_point(const RawPoint& point, bool replace_newer) = 0;
};

// Opens the store a --db value names: "PATH" or "sqlite:PATH" (an SQLite file), or
// "postgresql://..." (the fleet store; libpq's URI, a password in it is refused). Throws Error
// for a scheme this build cannot open, saying which it can.
std::unique_ptr<Store> open_store(const std::string& uri, OpenMode mode);
// Whether a --db value names the PostgreSQL fleet store.
bool is_fleet_store(const std::string& uri);
// The backends open_store knows, with whether each is built in (for help and messages).
struct StoreBackend {
  std::string scheme;   // "sqlite"
  std::string example;  // "sqlite:edgejoule.db"
  std::string build_hint;  // how to get it when it is not built in
  // Opens the whole --db value (scheme included); null when the backend is not built in.
  std::unique_ptr<Store> (*open)(const std::string& uri, OpenMode mode) = nullptr;
  // Its queue of shared sweeps (fleet.h); null for a backend without one.
  std::unique_ptr<FleetQueue> (*open_queue)(const std::string& uri) = nullptr;

  bool built_in() const { return open != nullptr; }
};
const std::vector<StoreBackend>& store_backends();

// Opens (creating in kReadWrite mode when absent) and checks the schema. Throws Error naming
// the file when it is missing (read-only mode), unwritable, corrupt, not an edgejoule database,
// or from a newer edgejoule. Never modifies a file it does not recognise.
std::unique_ptr<Store> open_sqlite_store(const std::string& path, OpenMode mode);

}  // namespace edgejoule
