#pragma once
// What the SQLite and the PostgreSQL stores share: the SQL that saves and reads points and
// evaluations, written once in the dialect both accept (ON CONFLICT, RETURNING, CAST; ?N
// placeholders, which the PostgreSQL store turns into $N). A backend supplies a connection
// type `Db` with:
//   Statement prepare(const std::string& sql)   bind(i, v), step(), run(), text/int64/real/
//                                               is_null/opt_real/opt_int64(column)
//   void begin_write(); void begin_read(); void commit(); void rollback() noexcept;
// and opens the store at the current schema before this class reads or writes anything.
// Internal to src/store.

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "core/config_fields.h"
#include "core/records.h"
#include "store/store.h"

namespace edgejoule {

template <class Db>
class SqlStore : public Store {
 public:
  std::optional<StoredPoint> stored_point(const std::string& model_sha256,
                                          const std::string& config_key,
                                          const std::string& host_fingerprint) override {
    auto q = db_->prepare(
        "SELECT p.status, p.measured_accuracy_source, p.engine_version FROM points p "
        "JOIN models m ON m.id = p.model_id "
        "JOIN configs c ON c.id = p.config_id JOIN hosts h ON h.id = p.host_id "
        "WHERE m.content_sha256 = ?1 AND c.key = ?2 AND h.fingerprint = ?3");
    q.bind(1, model_sha256).bind(2, config_key).bind(3, host_fingerprint);
    if (!q.step()) return std::nullopt;
    return StoredPoint{verdict_from_string(q.text(0)).value_or(Verdict::kInvalid), q.text(1), q.text(2)};
  }

  bool save_point(const PointRecord& record, const HostInfo& host, bool replace) override {
    db_->begin_write();
    try {
      const bool saved = write_point(record, host, replace).has_value();
      db_->commit();
      return saved;
    } catch (...) {
      db_->rollback();
      throw;
    }
  }

  std::vector<ResultRow> rows(const RowFilter& filter) override {
    std::vector<ResultRow> out;
    std::vector<int64_t> host_ids;
    in_one_snapshot([&] {
      read_rows(filter, [&](size_t expected) { out.reserve(expected); },
                [&](ResultRow&& row, int64_t host_id) {
                  out.push_back(std::move(row));
                  host_ids.push_back(host_id);
                });
    });
    if (filter.sorted) {
      std::vector<ResultRow> sorted;
      sorted.reserve(out.size());
      for (size_t i : listing_order(out, host_ids)) sorted.push_back(std::move(out[i]));
      out = std::move(sorted);
    }
    return out;
  }

  void each_row(const RowFilter& filter, RowSink& sink) override {
    if (filter.sorted) return Store::each_row(filter, sink);  // sorted once all are read
    in_one_snapshot([&] {
      read_rows(filter, [&](size_t expected) { sink.expect(expected); },
                [&](ResultRow&& row, int64_t) { sink.take(std::move(row)); });
    });
  }

  std::vector<StoredPrediction> predictions(const RowFilter& filter) override {
    return in_one_snapshot([&] { return read_predictions(filter); });
  }

  void save_predictions(const std::vector<PredictionRecord>& predictions, const HostInfo& host) override {
    db_->begin_write();
    try {
      const int64_t host_id = upsert_host(host);
      const std::string now = utc_now_iso8601();
      for (const auto& p : predictions) {
        const int64_t model_id = upsert_model(p.model);
        const int64_t config_id = upsert_config(p.config);
        upsert_model_path(model_id, host_id, p.model.path);
        {
          auto measured = db_->prepare("SELECT 1 FROM points WHERE model_id = ?1 AND config_id = ?2 AND host_id = ?3");
          measured.bind(1, model_id).bind(2, config_id).bind(3, host_id);
          if (measured.step()) continue;
        }
        auto ins = db_->prepare(R"sql(
          INSERT INTO predictions (model_id, config_id, host_id, predictor, energy_j_per_inference, latency_ms_p50,
            margin, reason, predicted_at_utc, edgejoule_version)
          VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
          ON CONFLICT (model_id, config_id, host_id) DO UPDATE SET predictor = excluded.predictor,
            energy_j_per_inference = excluded.energy_j_per_inference, latency_ms_p50 = excluded.latency_ms_p50,
            margin = excluded.margin, reason = excluded.reason, predicted_at_utc = excluded.predicted_at_utc,
            edgejoule_version = excluded.edgejoule_version)sql");
        ins.bind(1, model_id).bind(2, config_id).bind(3, host_id).bind(4, p.predictor)
            .bind(5, p.energy_j_per_inference).bind(6, p.latency_ms_p50).bind(7, p.margin).bind(8, p.reason)
            .bind(9, now).bind(10, EDGEJOULE_VERSION).run();
      }
      db_->commit();
    } catch (...) {
      db_->rollback();
      throw;
    }
  }

  int64_t save_evaluation(const StoredEvaluation& ev) override {
    db_->begin_write();
    try {
      int64_t run_id = 0;
      {  // finished before the commit (SQLite refuses to commit under a statement in progress)
        auto run = db_->prepare(R"sql(
          INSERT INTO evaluation_runs (created_at_utc, host_fingerprint, settings_json, budgets, violations,
            budget_use_median, budget_use_worst, regret_median_pct, regret_worst_pct, edgejoule_version)
          VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id)sql");
        run.bind(1, utc_now_iso8601()).bind(2, ev.host_fingerprint).bind(3, ev.settings_json)
            .bind(4, static_cast<int64_t>(ev.rows.size())).bind(5, ev.violations).bind(6, ev.budget_use_median)
            .bind(7, ev.budget_use_worst).bind(8, ev.regret_median_pct).bind(9, ev.regret_worst_pct)
            .bind(10, EDGEJOULE_VERSION);
        run.step();
        run_id = run.int64(0);
      }
      for (const auto& r : ev.rows) {
        auto ins = db_->prepare(R"sql(
          INSERT INTO evaluations (run_id, budget_index, energy_budget_j, point_id, predicted, label, top1,
            expected_energy_j, remeasured_energy_j, remeasured_energy_ci95_j, remeasure_status, budget_use,
            violation, oracle_point_id, oracle_top1, regret_pct, prediction_error_pct, effective_json)
          VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18))sql");
        ins.bind(1, run_id).bind(2, r.budget_index).bind(3, r.energy_budget_j).bind(4, r.point_id)
            .bind(5, r.predicted ? 1 : 0).bind(6, r.label).bind(7, r.top1).bind(8, r.expected_energy_j)
            .bind(9, r.remeasured_energy_j).bind(10, r.remeasured_energy_ci95_j).bind(11, r.remeasure_status)
            .bind(12, r.budget_use).bind(13, r.violation ? 1 : 0).bind(14, r.oracle_point_id)
            .bind(15, r.oracle_top1).bind(16, r.regret_pct).bind(17, r.prediction_error_pct)
            .bind(18, r.effective_json).run();
      }
      db_->commit();
      return run_id;
    } catch (...) {
      db_->rollback();
      throw;
    }
  }


  int64_t save_run(const StoredRun& r) override {
    db_->begin_write();
    try {
      int64_t id = 0;
      {  // finished before the commit
        auto q = db_->prepare(R"sql(
          INSERT INTO runs (started_at_utc, ended_at_utc, hostname, host_fingerprint, status, stop_reason, budget_j,
            energy_j, energy_provenance, inferences_planned, inferences_done, top1, accuracy_source, switches,
            degraded, record_json, edgejoule_version)
          VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) RETURNING id)sql");
        q.bind(1, r.started_at_utc).bind(2, r.ended_at_utc).bind(3, r.hostname).bind(4, r.host_fingerprint)
            .bind(5, r.status).bind(6, r.stop_reason).bind(7, r.budget_j).bind(8, r.energy_j)
            .bind(9, r.energy_provenance).bind(10, r.inferences_planned).bind(11, r.inferences_done).bind(12, r.top1)
            .bind(13, r.accuracy_source).bind(14, r.switches).bind(15, r.degraded ? 1 : 0).bind(16, r.record_json)
            .bind(17, EDGEJOULE_VERSION);
        q.step();
        id = q.int64(0);
      }
      db_->commit();
      return id;
    } catch (...) {
      db_->rollback();
      throw;
    }
  }

  std::vector<StoredRun> runs() override {
    std::vector<StoredRun> out;
    auto q = db_->prepare(R"sql(
      SELECT id, started_at_utc, ended_at_utc, hostname, host_fingerprint, status, stop_reason, budget_j, energy_j,
        energy_provenance, inferences_planned, inferences_done, top1, accuracy_source, switches, degraded, record_json
      FROM runs ORDER BY id)sql");
    while (q.step()) {
      StoredRun r;
      int i = 0;
      r.id = q.int64(i++);
      r.started_at_utc = q.text(i++);
      r.ended_at_utc = q.text(i++);
      r.hostname = q.text(i++);
      r.host_fingerprint = q.text(i++);
      r.status = q.text(i++);
      r.stop_reason = q.text(i++);
      r.budget_j = q.real(i++);
      r.energy_j = q.opt_real(i++);
      r.energy_provenance = q.text(i++);
      r.inferences_planned = q.int64(i++);
      r.inferences_done = q.int64(i++);
      r.top1 = q.opt_real(i++);
      r.accuracy_source = q.text(i++);
      r.switches = q.int64(i++);
      r.degraded = q.int64(i++) != 0;
      r.record_json = q.text(i++);
      out.push_back(std::move(r));
    }
    return out;
  }

  void for_each_raw_point(const std::function<void(const RawPoint&)>& visit) override {
    std::map<std::string, RawRow> cache;  // "table:id" -> row (hosts, models, configs repeat)
    auto row_of = [&](const std::string& table, const std::optional<std::string>& id) -> const RawRow& {
      const std::string key = table + ":" + id.value_or("");
      auto it = cache.find(key);
      if (it == cache.end()) {
        auto q = db_->prepare("SELECT * FROM " + table + " WHERE id = ?1");
        q.bind(1, id.value_or(""));
        RawRow row;
        if (q.step()) row = raw_row(q);
        it = cache.emplace(key, std::move(row)).first;
      }
      return it->second;
    };
    auto points = db_->prepare("SELECT * FROM points ORDER BY id");
    while (points.step()) {
      RawPoint p;
      p.point = raw_row(points);
      p.host = row_of("hosts", p.point.get("host_id"));
      p.model = row_of("models", p.point.get("model_id"));
      p.config = row_of("configs", p.point.get("config_id"));
      auto windows = db_->prepare("SELECT * FROM windows WHERE point_id = ?1 ORDER BY repetition");
      windows.bind(1, p.point.get("id").value_or(""));
      while (windows.step()) p.windows.push_back(raw_row(windows));
      auto path = db_->prepare("SELECT path FROM model_paths WHERE model_id = ?1 AND host_id = ?2");
      path.bind(1, p.point.get("model_id").value_or("")).bind(2, p.point.get("host_id").value_or(""));
      if (path.step()) p.model_path = path.text(0);
      visit(p);
    }
  }

  MergeOutcome merge_point(const RawPoint& p, bool replace_newer) override {
    db_->begin_write();
    try {
      const std::string host_id = merge_row("hosts", p.host, "fingerprint", {});
      const std::string model_id = merge_row("models", p.model, "content_sha256", {});
      const std::string config_id = merge_row("configs", p.config, "key", {});
      MergeOutcome outcome = MergeOutcome::kAdded;
      {
        auto q = db_->prepare(
            "SELECT id, stored_at_utc FROM points WHERE model_id = ?1 AND config_id = ?2 AND host_id = ?3");
        q.bind(1, model_id).bind(2, config_id).bind(3, host_id);
        if (q.step()) {
          const std::string id = q.text(0), stored_at = q.text(1);
          if (!replace_newer || p.point.get("stored_at_utc").value_or("") <= stored_at) {
            db_->commit();
            return MergeOutcome::kKept;
          }
          auto windows = db_->prepare("DELETE FROM windows WHERE point_id = ?1");
          windows.bind(1, id).run();
          auto del = db_->prepare("DELETE FROM points WHERE id = ?1");
          del.bind(1, id).run();
          outcome = MergeOutcome::kReplaced;
        }
      }
      const std::string point_id = merge_row(
          "points", p.point, "", {{"model_id", model_id}, {"config_id", config_id}, {"host_id", host_id}});
      for (const auto& w : p.windows) merge_row("windows", w, "", {{"point_id", point_id}});
      drop_prediction(model_id, config_id, host_id);
      if (p.model_path) {
        auto q = db_->prepare(R"sql(
          INSERT INTO model_paths (model_id, host_id, path) VALUES (?1, ?2, ?3)
          ON CONFLICT (model_id, host_id) DO UPDATE SET path = excluded.path)sql");
        q.bind(1, model_id).bind(2, host_id).bind(3, *p.model_path).run();
      }
      db_->commit();
      return outcome;
    } catch (...) {
      db_->rollback();
      throw;
    }
  }

 protected:
  explicit SqlStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  template <class Statement>
  static RawRow raw_row(const Statement& q) {
    RawRow row;
    for (int i = 0; i < q.column_count(); ++i) row.columns.emplace_back(q.column_name(i), q.raw(i));
    return row;
  }

  // Inserts `row` into `table` (its columns this store also has, but `id`; `overrides` replace
  // the source's foreign keys) and returns the id: of the row with the same `unique` column when
  // one exists (nothing inserted), else of the new row.
  std::string merge_row(const std::string& table, const RawRow& row, const std::string& unique,
                        const std::map<std::string, std::string>& overrides) {
    auto& columns = table_columns_[table];
    if (columns.empty()) {
      for (const auto& c : db_->columns_of(table)) columns.insert(c);
    }
    std::string names, values;
    std::vector<std::optional<std::string>> params;
    for (const auto& [column, value] : row.columns) {
      if (column == "id" || !columns.count(column)) continue;
      const auto o = overrides.find(column);
      params.push_back(o == overrides.end() ? value : std::optional<std::string>(o->second));
      names += (names.empty() ? "" : ", ") + column;
      values += (values.empty() ? "?" : ", ?") + std::to_string(params.size());
    }
    std::string sql = "INSERT INTO " + table + " (" + names + ") VALUES (" + values + ")";
    sql += unique.empty() ? "" : " ON CONFLICT (" + unique + ") DO NOTHING";
    const bool has_id = columns.count("id") > 0;
    if (has_id && unique.empty()) sql += " RETURNING id";
    auto ins = db_->prepare(sql);
    for (size_t i = 0; i < params.size(); ++i) ins.bind(static_cast<int>(i + 1), params[i]);
    if (!has_id) {
      ins.run();
      return "";
    }
    if (unique.empty()) {
      ins.step();
      return ins.text(0);
    }
    ins.run();
    auto q = db_->prepare("SELECT id FROM " + table + " WHERE " + unique + " = ?1");
    q.bind(1, row.get(unique).value_or(""));
    q.step();
    return q.text(0);
  }

  // Inside a write transaction: the point with its windows, its host, model, configuration and
  // the model's path on this host. Returns the point's id, or nothing when the stored copy is
  // kept: without `replace`, a point another process stored meanwhile is kept unless another
  // version of the engine measured it (the version keys a point); otherwise it is replaced.
  std::optional<int64_t> write_point(const PointRecord& record, const HostInfo& host, bool replace) {
    const int64_t host_id = upsert_host(host);
    const int64_t model_id = upsert_model(record.model);
    const int64_t config_id = upsert_config(record.config);
    upsert_model_path(model_id, host_id, record.model.path);
    std::optional<std::string> stored_version;
    {
      auto q = db_->prepare("SELECT engine_version FROM points WHERE model_id = ?1 AND config_id = ?2 AND host_id = ?3");
      q.bind(1, model_id).bind(2, config_id).bind(3, host_id);
      if (q.step()) stored_version = q.text(0);
    }
    if (stored_version) {
      if (!replace && same_engine_version(*stored_version, record.runtime.engine_version)) return std::nullopt;
      auto del = db_->prepare("DELETE FROM points WHERE model_id = ?1 AND config_id = ?2 AND host_id = ?3");
      del.bind(1, model_id).bind(2, config_id).bind(3, host_id).run();
    }
    const auto point_id = insert_point(record, host, model_id, config_id, host_id);
    if (!point_id) return std::nullopt;
    for (const auto& w : record.result.windows) insert_window(*point_id, w);
    drop_prediction(model_id, config_id, host_id);
    return point_id;
  }

  // A measured point replaces what was predicted for it.
  template <class Id>
  void drop_prediction(const Id& model_id, const Id& config_id, const Id& host_id) {
    auto q = db_->prepare("DELETE FROM predictions WHERE model_id = ?1 AND config_id = ?2 AND host_id = ?3");
    q.bind(1, model_id).bind(2, config_id).bind(3, host_id).run();
  }

  // The points and predictions are read after the models, configurations and hosts they refer
  // to: one snapshot, so a point saved in between is not read without its model.
  template <class Read>
  auto in_one_snapshot(Read read) -> decltype(read()) {
    db_->begin_read();
    try {
      if constexpr (std::is_void_v<decltype(read())>) {
        read();
        db_->commit();
      } else {
        auto out = read();
        db_->commit();
        return out;
      }
    } catch (...) {
      db_->rollback();
      throw;
    }
  }

  // The points the filter passes, each with its host's id, after `expect` is told how many
  // points the store holds.
  template <class Expect, class Take>
  void read_rows(const RowFilter& filter, Expect expect, Take take) {
    const Dimensions dims = read_dimensions();
    auto q = db_->prepare(R"sql(
      SELECT p.id, p.model_id, p.config_id, p.host_id,
             p.engine_version, p.effective_threads, p.status, p.reason, p.started_at_utc, p.repetitions,
             p.iterations, p.latency_ms_p50, p.latency_ms_p90, p.latency_ms_p99, p.latency_ms_mean,
             p.latency_ms_stddev, p.window_latency_ms_cv, p.window_latency_ms_ci95, p.throughput_sps,
             p.meter, p.energy_provenance, p.meter_update_period_s, p.idle_power_w, p.mean_power_w,
             p.energy_j_per_inference_mean, p.energy_j_per_inference_stddev,
             p.energy_j_per_inference_cv, p.energy_j_per_inference_ci95,
             p.energy_above_idle_j_per_inference_mean, p.cross_check_meter, p.cross_check_difference_pct,
             p.top1_measured, p.top5_measured, p.measured_accuracy_source, p.peak_rss_mb, p.platform_json,
             p.requests_in_flight, p.busy_fraction, p.service_ms_mean, p.arrival_seed, p.dropped_queries
      FROM points p
      WHERE (CAST(?1 AS TEXT) = '' OR p.model_id IN (SELECT id FROM models WHERE name = ?1))
        AND (CAST(?2 AS TEXT) = '' OR p.status = ?2)
        AND (CAST(?3 AS TEXT) = '' OR p.host_id IN (SELECT id FROM hosts WHERE fingerprint = ?3)))sql");
    q.bind(1, filter.model).bind(2, filter.status ? to_string(*filter.status) : "").bind(3, filter.host_fingerprint);
    expect(static_cast<size_t>(count_points()));
    while (q.step()) {
      ResultRow r;
      int i = 0;
      r.point_id = q.int64(i++);
      const int64_t model_id = q.int64(i++), config_id = q.int64(i++), host_id = q.int64(i++);
      if (!dims.fill(model_id, config_id, host_id, r)) throw damaged();
      r.engine_version = q.text(i++);
      r.effective_threads = static_cast<int>(q.int64(i++));
      r.status = verdict_from_string(q.text(i++)).value_or(Verdict::kInvalid);
      r.reason = q.text(i++);
      r.started_at_utc = q.text(i++);
      r.repetitions = static_cast<int>(q.int64(i++));
      r.iterations = q.int64(i++);
      r.latency_ms_p50 = q.opt_real(i++);
      r.latency_ms_p90 = q.opt_real(i++);
      r.latency_ms_p99 = q.opt_real(i++);
      r.latency_ms_mean = q.opt_real(i++);
      r.latency_ms_stddev = q.opt_real(i++);
      r.window_latency_ms_cv = q.opt_real(i++);
      r.window_latency_ms_ci95 = q.opt_real(i++);
      r.throughput_sps = q.opt_real(i++);
      r.meter = q.text(i++);
      r.energy_provenance = q.text(i++);
      r.meter_update_period_s = q.opt_real(i++);
      r.idle_power_w = q.opt_real(i++);
      r.mean_power_w = q.opt_real(i++);
      r.energy_j_per_inference = q.opt_real(i++);
      r.energy_j_per_inference_stddev = q.opt_real(i++);
      r.energy_j_per_inference_cv = q.opt_real(i++);
      r.energy_j_per_inference_ci95 = q.opt_real(i++);
      r.energy_above_idle_j_per_inference = q.opt_real(i++);
      r.cross_check_meter = q.text(i++);
      r.cross_check_difference_pct = q.opt_real(i++);
      // A measured figure, where there is one, stands in for the declared one (with its source
      // and the dataset that source names).
      const auto top1_measured = q.opt_real(i++);
      const auto top5_measured = q.opt_real(i++);
      std::string measured_source = q.text(i++);
      if (top1_measured) {
        r.top1 = top1_measured;
        r.top5 = top5_measured;
        r.accuracy_source = std::move(measured_source);
        r.accuracy_dataset = dataset_of_accuracy_source(r.accuracy_source);
      }
      r.peak_rss_mb = q.opt_real(i++);
      r.platform_state_json = q.text(i++);
      r.requests_in_flight = static_cast<int>(q.int64(i++));
      r.busy_fraction = q.opt_real(i++);
      r.service_ms_mean = q.opt_real(i++);
      r.arrival_seed = q.opt_int64(i++);
      r.dropped_queries = q.int64(i++);
      if (r.energy_j_per_inference) r.accuracy_per_joule = accuracy_per_joule(r.top1, *r.energy_j_per_inference);
      take(std::move(r), host_id);
    }
  }

  std::vector<StoredPrediction> read_predictions(const RowFilter& filter) {
    std::vector<StoredPrediction> out;
    if (filter.status && *filter.status != Verdict::kPredicted) return out;
    const Dimensions dims = read_dimensions();
    auto q = db_->prepare(R"sql(
      SELECT r.model_id, r.config_id, r.host_id, r.predictor, r.energy_j_per_inference, r.latency_ms_p50,
             r.margin, r.reason, r.predicted_at_utc
      FROM predictions r
      WHERE (CAST(?1 AS TEXT) = '' OR r.model_id IN (SELECT id FROM models WHERE name = ?1))
        AND (CAST(?2 AS TEXT) = '' OR r.host_id IN (SELECT id FROM hosts WHERE fingerprint = ?2)))sql");
    q.bind(1, filter.model).bind(2, filter.host_fingerprint);
    std::vector<ResultRow> rows;
    std::vector<int64_t> host_ids;
    std::vector<double> margins;
    while (q.step()) {
      ResultRow r;
      int i = 0;
      const int64_t model_id = q.int64(i++), config_id = q.int64(i++), host_id = q.int64(i++);
      if (!dims.fill(model_id, config_id, host_id, r)) throw damaged();
      r.status = Verdict::kPredicted;
      r.energy_provenance = "predicted:" + q.text(i++);
      r.energy_j_per_inference = q.opt_real(i++);
      r.latency_ms_p50 = q.opt_real(i++);
      margins.push_back(q.real(i++));
      r.reason = q.text(i++);
      r.started_at_utc = q.text(i++);
      if (r.energy_j_per_inference) r.accuracy_per_joule = accuracy_per_joule(r.top1, *r.energy_j_per_inference);
      rows.push_back(std::move(r));
      host_ids.push_back(host_id);
    }
    for (size_t i : listing_order(rows, host_ids)) {
      StoredPrediction p;
      p.margin = margins[i];
      p.predicted_at_utc = rows[i].started_at_utc;
      p.row = std::move(rows[i]);
      out.push_back(std::move(p));
    }
    return out;
  }

  // The small tables a point refers to (models, configurations, hosts, the models' paths per
  // host), read once per listing: joined into every row, the same model, configuration and
  // host columns were read again for each of 100,000 points.
  struct Dimensions {
    struct Model {
      std::string name, family, path, sha256, accuracy_source, accuracy_dataset;
      std::optional<int64_t> params, flops;
      std::optional<double> top1, top5;
    };
    struct Config {
      std::string engine, device, precision, sample_shape, meter, platform;
      int batch = 0, threads = 0;
      KnobValues knobs;  // defaults left out
    };
    struct Host {
      std::string hostname, cpu_model, blas, fingerprint, device_class;
    };
    std::unordered_map<int64_t, Model> models;
    std::unordered_map<int64_t, Config> configs;
    std::unordered_map<int64_t, Host> hosts;
    std::map<std::pair<int64_t, int64_t>, std::string> paths;  // (model, host): the model's file there

    // r's model, configuration and host fields, and the model's declared accuracy; false where
    // the store lacks one of them.
    bool fill(int64_t model_id, int64_t config_id, int64_t host_id, ResultRow& r) const {
      const auto m = models.find(model_id);
      const auto c = configs.find(config_id);
      const auto h = hosts.find(host_id);
      if (m == models.end() || c == configs.end() || h == hosts.end()) return false;
      r.model = m->second.name;
      r.family = m->second.family;
      const auto path = paths.find({model_id, host_id});
      r.model_path = path != paths.end() ? path->second : m->second.path;
      r.model_sha256 = m->second.sha256;
      r.params = m->second.params;
      r.flops = m->second.flops;
      r.top1 = m->second.top1;
      r.top5 = m->second.top5;
      r.accuracy_source = m->second.accuracy_source;
      // The manifest names the dataset of declared figures; else their source names it.
      r.accuracy_dataset = m->second.accuracy_dataset.empty() ? dataset_of_accuracy_source(r.accuracy_source)
                                                              : m->second.accuracy_dataset;
      r.engine = c->second.engine;
      r.device = c->second.device;
      r.precision = c->second.precision;
      r.batch = c->second.batch;
      r.threads = c->second.threads;
      r.sample_shape = c->second.sample_shape;
      r.config_meter = c->second.meter;
      r.platform = c->second.platform;
      r.knobs = c->second.knobs;
      r.hostname = h->second.hostname;
      r.cpu_model = h->second.cpu_model;
      r.blas = h->second.blas;
      r.host_fingerprint = h->second.fingerprint;
      r.device_class = h->second.device_class;
      return true;
    }
  };

  Error damaged() const {
    return Error("the store '" + location() + "' holds a point whose model, configuration or host is missing, "
                 "so it is damaged: restore it from a copy, or profile into a new store");
  }

  Dimensions read_dimensions() {
    Dimensions d;
    {
      auto q = db_->prepare(
          "SELECT id, name, family, path, content_sha256, params, flops, top1_declared, top5_declared, "
          "accuracy_source, accuracy_dataset FROM models");
      while (q.step()) {
        typename Dimensions::Model m;
        int i = 0;
        const int64_t id = q.int64(i++);
        m.name = q.text(i++);
        m.family = q.text(i++);
        m.path = q.text(i++);
        m.sha256 = q.text(i++);
        m.params = q.opt_int64(i++);
        m.flops = q.opt_int64(i++);
        m.top1 = q.opt_real(i++);
        m.top5 = q.opt_real(i++);
        m.accuracy_source = q.text(i++);
        m.accuracy_dataset = q.text(i++);
        d.models.emplace(id, std::move(m));
      }
    }
    {
      std::string sql = "SELECT id, engine, device, precision, batch, threads, sample_shape, meter, platform";
      for (const auto& field : config_fields()) sql += ", " + knob_column(field);
      auto q = db_->prepare(sql + " FROM configs c");
      while (q.step()) {
        typename Dimensions::Config c;
        int i = 0;
        const int64_t id = q.int64(i++);
        c.engine = q.text(i++);
        c.device = q.text(i++);
        c.precision = q.text(i++);
        c.batch = static_cast<int>(q.int64(i++));
        c.threads = static_cast<int>(q.int64(i++));
        c.sample_shape = q.text(i++);
        c.meter = q.text(i++);
        c.platform = q.text(i++);
        for (const auto& field : config_fields()) {
          const std::string value = field.is_switch ? (q.int64(i++) != 0 ? "on" : "off") : q.text(i++);
          if (value != field.default_value()) c.knobs[field.name] = value;
        }
        d.configs.emplace(id, std::move(c));
      }
    }
    {
      auto q = db_->prepare(
          "SELECT id, hostname, cpu_model, blas, fingerprint, cpu_cores, memory_mb, gpu_name FROM hosts");
      while (q.step()) {
        typename Dimensions::Host h;
        HostInfo info;  // what the device class is made from
        int i = 0;
        const int64_t id = q.int64(i++);
        h.hostname = q.text(i++);
        h.cpu_model = info.cpu_model = q.text(i++);
        h.blas = q.text(i++);
        h.fingerprint = q.text(i++);
        info.cpu_cores = static_cast<int>(q.int64(i++));
        info.memory_mb = q.int64(i++);
        info.gpu_name = q.text(i++);
        h.device_class = info.device_class();
        d.hosts.emplace(id, std::move(h));
      }
    }
    {
      auto q = db_->prepare("SELECT model_id, host_id, path FROM model_paths");
      while (q.step()) d.paths[{q.int64(0), q.int64(1)}] = q.text(2);
    }
    return d;
  }

  int64_t count_points() {
    auto q = db_->prepare("SELECT count(*) FROM points");
    return q.step() ? q.int64(0) : 0;
  }

  // A listing's order: by host (as stored), model, platform, engine, device, precision, batch,
  // threads and the configuration fields in their table's order (a switch's "off" before "on"),
  // then by point id, then as read (predictions have no point id). Byte order, so both backends
  // list alike. `host_ids` runs beside `rows`; returns the rows' indices in that order.
  static std::vector<size_t> listing_order(const std::vector<ResultRow>& rows, const std::vector<int64_t>& host_ids) {
    std::vector<size_t> order(rows.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    const auto& fields = config_fields();
    std::stable_sort(order.begin(), order.end(), [&](size_t ia, size_t ib) {
      const ResultRow& a = rows[ia];
      const ResultRow& b = rows[ib];
      if (host_ids[ia] != host_ids[ib]) return host_ids[ia] < host_ids[ib];
      for (std::string ResultRow::*column : {&ResultRow::model, &ResultRow::platform, &ResultRow::engine,
                                             &ResultRow::device, &ResultRow::precision}) {
        if (const int c = (a.*column).compare(b.*column)) return c < 0;
      }
      if (a.batch != b.batch) return a.batch < b.batch;
      if (a.threads != b.threads) return a.threads < b.threads;
      for (const auto& field : fields) {
        const auto va = a.knobs.find(field.name), vb = b.knobs.find(field.name);
        const std::string& ka = va != a.knobs.end() ? va->second : field.default_value();
        const std::string& kb = vb != b.knobs.end() ? vb->second : field.default_value();
        if (const int c = ka.compare(kb)) return c < 0;
      }
      return a.point_id < b.point_id;
    });
    return order;
  }

  // A field's column in a select, or its default where the store has no column for it.
  std::string knob_column(const ConfigField& field) const {
    if (config_columns_.count(field.name)) return "c." + field.name;
    return field.is_switch ? "0" : "'" + field.default_value() + "'";
  }

  int64_t upsert_host(const HostInfo& h) {
    const std::string fp = h.fingerprint();
    auto ins = db_->prepare(R"sql(
      INSERT INTO hosts (fingerprint, hostname, cpu_model, cpu_cores, memory_mb, os,
        kernel, gpu_name, gpu_driver, engine_versions, blas, blas_library, first_seen_utc)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
      ON CONFLICT (fingerprint) DO NOTHING)sql");
    ins.bind(1, fp).bind(2, h.hostname).bind(3, h.cpu_model).bind(4, h.cpu_cores)
        .bind(5, h.memory_mb).bind(6, h.os).bind(7, h.kernel).bind(8, h.gpu_name)
        .bind(9, h.gpu_driver).bind(10, h.engine_versions).bind(11, h.blas.name)
        .bind(12, h.blas.library).bind(13, utc_now_iso8601()).run();
    auto q = db_->prepare("SELECT id FROM hosts WHERE fingerprint = ?1");
    q.bind(1, fp);
    q.step();
    return q.int64(0);
  }

  void upsert_model_path(int64_t model_id, int64_t host_id, const std::string& path) {
    auto q = db_->prepare(R"sql(
      INSERT INTO model_paths (model_id, host_id, path) VALUES (?1, ?2, ?3)
      ON CONFLICT (model_id, host_id) DO UPDATE SET path = excluded.path)sql");
    q.bind(1, model_id).bind(2, host_id).bind(3, path).run();
  }

  int64_t upsert_model(const ModelInfo& m) {
    auto ins = db_->prepare(R"sql(
      INSERT INTO models (content_sha256, name, family, format, path, params, flops,
        sample_shape, top1_declared, top5_declared, accuracy_source, accuracy_dataset)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
      ON CONFLICT (content_sha256) DO UPDATE SET
        params = coalesce(excluded.params, models.params), flops = coalesce(excluded.flops, models.flops),
        accuracy_dataset = CASE WHEN excluded.accuracy_dataset = '' THEN models.accuracy_dataset
                                ELSE excluded.accuracy_dataset END)sql");
    ins.bind(1, m.content_sha256).bind(2, m.name).bind(3, m.family).bind(4, m.format)
        .bind(5, m.path).bind(6, m.params).bind(7, m.flops).bind(8, format_shape(m.sample_shape))
        .bind(9, m.top1).bind(10, m.top5).bind(11, m.accuracy_source)
        .bind(12, m.accuracy_dataset).run();
    auto q = db_->prepare("SELECT id FROM models WHERE content_sha256 = ?1");
    q.bind(1, m.content_sha256);
    q.step();
    return q.int64(0);
  }

  int64_t upsert_config(const Configuration& c) {
    const std::string key = c.key();
    std::string columns = "key, engine, device, precision, batch, threads, sample_shape, meter, platform";
    std::string values = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9";
    int n = 9;
    for (const auto& field : config_fields()) {
      columns += ", " + field.name;
      values += ", ?" + std::to_string(++n);
    }
    const std::string sql = "INSERT INTO configs (" + columns + ") VALUES (" + values + ") ON CONFLICT (key) DO NOTHING";
    auto ins = db_->prepare(sql);
    ins.bind(1, key).bind(2, c.engine).bind(3, c.device).bind(4, c.precision).bind(5, c.batch)
        .bind(6, c.threads).bind(7, format_shape(c.sample_shape)).bind(8, c.meter).bind(9, c.platform);
    n = 9;
    for (const auto& field : config_fields()) {
      const std::string value = c.knob(field.name);
      if (field.is_switch) {
        ins.bind(++n, static_cast<int64_t>(value == "on"));
      } else {
        ins.bind(++n, value);
      }
    }
    ins.run();
    auto q = db_->prepare("SELECT id FROM configs WHERE key = ?1");
    q.bind(1, key);
    q.step();
    return q.int64(0);
  }

  std::optional<int64_t> insert_point(const PointRecord& r, const HostInfo& host, int64_t model_id,
                       int64_t config_id, int64_t host_id) {
    const auto& res = r.result;
    const bool measured = res.verdict != Verdict::kUnsupported;
    nlohmann::json settings = {
        {"requested",
         {{"engine", r.config.engine}, {"device", r.config.device},
          {"precision", r.config.precision}, {"batch", r.config.batch},
          {"threads", r.config.threads}, {"input_shape", r.config.input_shape()},
          {"platform", r.config.platform}}},
        {"effective", r.runtime},
        {"protocol", r.protocol},
        {"model", {{"path", r.model.path}, {"sha256", r.model.content_sha256}}},
    };
    // The BLAS is the host's: what the engine ran on, though no engine reports it.
    settings["effective"]["blas"] = host.blas.name;
    settings["effective"]["blas_library"] = host.blas.library;
    for (const auto& field : config_fields()) {
      settings["requested"][field.name] = knob_json(field, r.config.knob(field.name));
    }
    int64_t iterations = 0;
    for (const auto& w : res.windows) iterations += w.iterations;
    auto if_measured = [&](double v) { return measured ? std::optional<double>(v) : std::nullopt; };

    auto ins = db_->prepare(R"sql(
      INSERT INTO points (model_id, config_id, host_id, status, reason, started_at_utc,
        stored_at_utc, engine_version, effective_device, effective_precision, effective_threads,
        warmup_s, warmup_iterations, repetitions, iterations, latency_ms_mean, latency_ms_stddev,
        latency_ms_min, latency_ms_max, latency_ms_p50, latency_ms_p90, latency_ms_p99,
        window_latency_ms_cv, window_latency_ms_ci95, throughput_sps, settings_json,
        edgejoule_version, platform_json)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
              ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)
      ON CONFLICT (model_id, config_id, host_id) DO NOTHING RETURNING id)sql");
    ins.bind(1, model_id).bind(2, config_id).bind(3, host_id)
        .bind(4, to_string(res.verdict)).bind(5, res.reason).bind(6, r.started_at_utc)
        .bind(7, utc_now_iso8601()).bind(8, r.runtime.engine_version)
        .bind(9, r.runtime.device).bind(10, r.runtime.precision)
        .bind(11, measured ? std::optional<int64_t>(r.runtime.threads) : std::nullopt)
        .bind(12, if_measured(res.warmup_s))
        .bind(13, measured ? std::optional<int64_t>(res.warmup_iterations) : std::nullopt)
        .bind(14, r.protocol.repetitions)
        .bind(15, measured ? std::optional<int64_t>(iterations) : std::nullopt)
        .bind(16, if_measured(res.latency_ms.mean)).bind(17, measured ? res.latency_ms.stddev : std::nullopt)
        .bind(18, if_measured(res.latency_ms.min)).bind(19, if_measured(res.latency_ms.max))
        .bind(20, if_measured(res.latency_ms.p50)).bind(21, if_measured(res.latency_ms.p90))
        .bind(22, if_measured(res.latency_ms.p99))
        .bind(23, measured ? res.window_latency_ms.cv : std::nullopt)
        .bind(24, measured ? res.window_latency_ms.ci95_half_width : std::nullopt)
        .bind(25, if_measured(res.throughput_sps)).bind(26, settings.dump())
        .bind(27, EDGEJOULE_VERSION).bind(28, r.platform_state_json);
    // Only PostgreSQL gets here with the point stored meanwhile (SQLite holds its write lock
    // from the check on): the copy that committed first is kept.
    if (!ins.step()) return std::nullopt;
    const int64_t point_id = ins.int64(0);
    if (measured && res.peak_rss_mb) {
      auto up = db_->prepare("UPDATE points SET peak_rss_mb = ?2 WHERE id = ?1");
      up.bind(1, point_id).bind(2, res.peak_rss_mb).run();
    }
    if (measured) {
      const bool server = r.config.knob("scenario") == "server";
      auto up = db_->prepare(R"sql(
        UPDATE points SET requests_in_flight = ?2, busy_fraction = ?3, service_ms_mean = ?4, arrival_seed = ?5,
          dropped_queries = ?6 WHERE id = ?1)sql");
      up.bind(1, point_id).bind(2, static_cast<int64_t>(res.requests_in_flight)).bind(3, res.busy_fraction)
          .bind(4, res.service_ms_mean)
          .bind(5, server ? std::optional<int64_t>(static_cast<int64_t>(r.protocol.arrival_seed)) : std::nullopt)
          .bind(6, res.dropped_queries).run();
    }
    if (r.accuracy) {
      auto up = db_->prepare(R"sql(
        UPDATE points SET top1_measured = ?2, top5_measured = ?3, accuracy_samples = ?4,
          measured_accuracy_source = ?5 WHERE id = ?1)sql");
      up.bind(1, point_id).bind(2, r.accuracy->top1).bind(3, r.accuracy->top5)
          .bind(4, static_cast<int64_t>(r.accuracy->samples)).bind(5, r.accuracy->source).run();
    }
    if (measured && res.energy) {
      const auto& e = *res.energy;
      auto up = db_->prepare(R"sql(
        UPDATE points SET meter = ?2, energy_provenance = ?3, meter_update_period_s = ?4,
          idle_power_w = ?5, idle_duration_s = ?6, mean_power_w = ?7,
          energy_j_per_inference_mean = ?8, energy_j_per_inference_stddev = ?9,
          energy_j_per_inference_cv = ?10, energy_j_per_inference_ci95 = ?11,
          energy_above_idle_j_per_inference_mean = ?12, energy_above_idle_j_per_inference_ci95 = ?13,
          cross_check_meter = ?14, cross_check_difference_pct = ?15
        WHERE id = ?1)sql");
      auto mean_of = [](const Summary& s) { return s.count ? std::optional<double>(s.mean) : std::nullopt; };
      up.bind(1, point_id).bind(2, e.meter).bind(3, e.provenance).bind(4, e.update_period_s)
          .bind(5, e.idle_power_w).bind(6, e.idle_duration_s).bind(7, mean_of(e.mean_power_w))
          .bind(8, mean_of(e.energy_j_per_inference)).bind(9, e.energy_j_per_inference.stddev)
          .bind(10, e.energy_j_per_inference.cv).bind(11, e.energy_j_per_inference.ci95_half_width)
          .bind(12, mean_of(e.energy_above_idle_j_per_inference))
          .bind(13, e.energy_above_idle_j_per_inference.ci95_half_width)
          .bind(14, e.cross_check_meter).bind(15, e.cross_check_difference_pct)
          .run();
    }
    return point_id;
  }

  void insert_window(int64_t point_id, const WindowResult& w) {
    auto ins = db_->prepare(R"sql(
      INSERT INTO windows (point_id, repetition, duration_s, iterations, samples, latency_ms_mean,
        latency_ms_stddev, latency_ms_min, latency_ms_max, latency_ms_p50, latency_ms_p90,
        latency_ms_p99, throughput_sps, start_unix_s, end_unix_s, energy_j, mean_power_w,
        meter_updates, energy_invalid_reason, cross_check_energy_j)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20))sql");
    ins.bind(1, point_id).bind(2, w.index).bind(3, w.duration_s).bind(4, w.iterations)
        .bind(5, w.samples).bind(6, w.latency_ms.mean).bind(7, w.latency_ms.stddev)
        .bind(8, w.latency_ms.min).bind(9, w.latency_ms.max).bind(10, w.latency_ms.p50)
        .bind(11, w.latency_ms.p90).bind(12, w.latency_ms.p99).bind(13, w.throughput_sps)
        .bind(14, w.start_unix_s).bind(15, w.end_unix_s).bind(16, w.energy_j).bind(17, w.mean_power_w)
        .bind(18, w.meter_updates).bind(19, w.energy_invalid_reason).bind(20, w.cross_check_energy_j)
        .run();
  }

  std::unique_ptr<Db> db_;
  std::set<std::string> config_columns_;  // the configuration fields' columns of `configs`
  std::map<std::string, std::set<std::string>> table_columns_;  // merge: this store's columns per table
};

}  // namespace edgejoule
