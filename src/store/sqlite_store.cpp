#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "core/records.h"
#include "store/schema.h"
#include "store/store.h"

namespace edgejoule {
namespace {

// Turns an SQLite failure into one sentence that names the file and says what to do.
[[noreturn]] void fail(const std::string& path, int rc, const std::string& detail) {
  const int primary = rc & 0xff;
  const std::string where = "database '" + path + "'";
  switch (primary) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      throw Error(where + " is corrupt or not an SQLite file (" + detail +
                  "): move it aside and profile again, or pass another --db; it was not modified");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Error(where + " is locked by another process (" + detail +
                  "): wait for it to finish, or pass another --db");
    case SQLITE_READONLY:
      throw Error(where + " is read-only (" + detail +
                  "): check its permissions and those of its directory, or pass another --db");
    case SQLITE_CANTOPEN:
      throw Error("cannot open " + where + " (" + detail +
                  "): check that its directory exists and is writable, or pass another --db");
    case SQLITE_FULL:
      throw Error("the disk is full writing " + where + ": free space and run again; "
                  "points stored before this one are kept", exit_code::kFailure);
    case SQLITE_IOERR:
      throw Error("I/O error on " + where + " (" + detail + "): check the disk and run again", exit_code::kFailure);
    default:
      throw Error("SQLite error on " + where + " (" + detail + ")", exit_code::kFailure);
  }
}

class Statement {
 public:
  Statement(sqlite3* db, const std::string& path, const char* sql) : db_(db), path_(path) {
    const int rc = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
    if (rc != SQLITE_OK) fail(path_, rc, sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& v) {
    check(sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int i, const char* v) { return bind(i, std::string(v)); }
  Statement& bind(int i, int64_t v) { check(sqlite3_bind_int64(stmt_, i, v)); return *this; }
  Statement& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Statement& bind(int i, double v) { check(sqlite3_bind_double(stmt_, i, v)); return *this; }
  template <typename T>
  Statement& bind(int i, const std::optional<T>& v) {
    if (v) return bind(i, *v);
    check(sqlite3_bind_null(stmt_, i));
    return *this;
  }

  // True while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(path_, rc, sqlite3_errmsg(db_));
  }
  void run() { while (step()) {} }

  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<double> opt_real(int col) const {
    return is_null(col) ? std::nullopt : std::optional<double>(real(col));
  }
  std::optional<int64_t> opt_int64(int col) const {
    return is_null(col) ? std::nullopt : std::optional<int64_t>(int64(col));
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail(path_, rc, sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, OpenMode mode) : path_(path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (mode == OpenMode::kReadOnly && !exists) {
      throw Error("no database at '" + path +
                  "': run 'edgejoule profile' first, or pass --db with the store to read");
    }
    if (exists && fs::is_directory(path, ec)) {
      throw Error("database path '" + path + "' is a directory: pass --db with a file name");
    }
    if (!exists) {
      const auto parent = fs::path(path).parent_path();
      if (!parent.empty() && !fs::is_directory(parent, ec)) {
        throw Error("cannot create database '" + path + "': directory '" + parent.string() +
                    "' does not exist; create it or pass another --db");
      }
    }
    // Readers open read-write without create, so an older schema can be migrated; a file they
    // cannot write is opened read-only instead.
    // One connection per Store, used from one thread at a time: no per-call mutex (a tenth of
    // the time of reading 10,000 rows went to locking).
    const int flags = (mode == OpenMode::kReadOnly ? SQLITE_OPEN_READWRITE
                                                   : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (mode == OpenMode::kReadOnly && rc != SQLITE_OK) {
      sqlite3_close(db_);
      db_ = nullptr;
      rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    }
    if (rc != SQLITE_OK) {
      const std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      fail(path_, rc, detail);
    }
    try {
      sqlite3_busy_timeout(db_, 10000);
      if (mode == OpenMode::kReadWrite && sqlite3_db_readonly(db_, "main") == 1) {
        fail(path_, SQLITE_READONLY, "opened read-only");
      }
      check_or_create_schema(mode, exists);
    } catch (...) {
      sqlite3_close(db_);
      db_ = nullptr;
      throw;
    }
  }

  ~SqliteStore() override { sqlite3_close(db_); }

  std::string location() const override { return path_; }

  std::optional<StoredPoint> stored_point(const std::string& model_sha256,
                                          const std::string& config_key,
                                          const std::string& host_fingerprint) override {
    Statement q(db_, path_,
                "SELECT p.status, p.measured_accuracy_source, p.engine_version FROM points p "
                "JOIN models m ON m.id = p.model_id "
                "JOIN configs c ON c.id = p.config_id JOIN hosts h ON h.id = p.host_id "
                "WHERE m.content_sha256 = ?1 AND c.key = ?2 AND h.fingerprint = ?3");
    q.bind(1, model_sha256).bind(2, config_key).bind(3, host_fingerprint);
    if (!q.step()) return std::nullopt;
    return StoredPoint{verdict_from_string(q.text(0)).value_or(Verdict::kInvalid), q.text(1), q.text(2)};
  }

  bool save_point(const PointRecord& record, const HostInfo& host, bool replace) override {
    exec("BEGIN IMMEDIATE");
    try {
      const int64_t host_id = upsert_host(host);
      const int64_t model_id = upsert_model(record.model);
      const int64_t config_id = upsert_config(record.config);
      upsert_model_path(model_id, host_id, record.model.path);
      // Under the write lock: another process may have stored this point since we checked.
      // Without `replace` its copy is kept, unless another version of the engine measured it
      // (the version keys a point); otherwise the stored copy is replaced.
      std::optional<std::string> stored_version;
      {
        Statement q(db_, path_,
                    "SELECT engine_version FROM points WHERE model_id = ?1 AND config_id = ?2 AND host_id = ?3");
        q.bind(1, model_id).bind(2, config_id).bind(3, host_id);
        if (q.step()) stored_version = q.text(0);
      }
      if (stored_version) {
        if (!replace && same_engine_version(*stored_version, record.runtime.engine_version)) {
          exec("COMMIT");
          return false;
        }
        Statement del(db_, path_, "DELETE FROM points WHERE model_id = ?1 AND config_id = ?2 AND host_id = ?3");
        del.bind(1, model_id).bind(2, config_id).bind(3, host_id).run();
      }
      const int64_t point_id = insert_point(record, host, model_id, config_id, host_id);
      for (const auto& w : record.result.windows) insert_window(point_id, w);
      exec("COMMIT");
      return true;
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  std::vector<ResultRow> rows(const RowFilter& filter) override {
    std::string sql = R"sql(
      SELECT p.id, m.name, m.family, coalesce(mp.path, m.path), m.content_sha256, m.params, m.flops,
             c.engine, c.device, c.precision, c.batch, c.threads, c.sample_shape,
             p.engine_version, p.effective_threads, h.hostname, h.cpu_model, h.blas,
             p.status, p.reason, p.started_at_utc, p.repetitions, p.iterations,
             p.latency_ms_p50, p.latency_ms_p90, p.latency_ms_p99, p.latency_ms_mean,
             p.latency_ms_stddev, p.window_latency_ms_cv, p.window_latency_ms_ci95,
             p.throughput_sps, m.top1_declared, m.top5_declared, m.accuracy_source,
             p.meter, p.energy_provenance, p.meter_update_period_s, p.idle_power_w, p.mean_power_w,
             p.energy_j_per_inference_mean, p.energy_j_per_inference_stddev,
             p.energy_j_per_inference_cv, p.energy_j_per_inference_ci95,
             p.energy_above_idle_j_per_inference_mean, c.meter, p.cross_check_meter,
             p.cross_check_difference_pct, p.top1_measured, p.top5_measured, p.measured_accuracy_source,
             p.peak_rss_mb, h.fingerprint, m.accuracy_dataset, c.platform, p.platform_json)sql" +
                      knob_select() + R"sql(
      FROM points p
      JOIN models m ON m.id = p.model_id
      JOIN configs c ON c.id = p.config_id
      JOIN hosts h ON h.id = p.host_id
      LEFT JOIN model_paths mp ON mp.model_id = m.id AND mp.host_id = h.id
      WHERE (?1 = '' OR m.name = ?1) AND (?2 = '' OR p.status = ?2)
        AND (?3 = '' OR h.fingerprint = ?3))sql";
    if (filter.sorted) {
      sql += " ORDER BY h.id, m.name, c.platform, c.engine, c.device, c.precision, c.batch, c.threads";
      for (const auto& field : config_fields()) sql += ", " + knob_column(field);
    }
    Statement q(db_, path_, sql.c_str());
    q.bind(1, filter.model).bind(2, filter.status ? to_string(*filter.status) : "").bind(3, filter.host_fingerprint);
    std::vector<ResultRow> out;
    while (q.step()) {
      ResultRow r;
      int i = 0;
      r.point_id = q.int64(i++);
      r.model = q.text(i++);
      r.family = q.text(i++);
      r.model_path = q.text(i++);
      r.model_sha256 = q.text(i++);
      r.params = q.opt_int64(i++);
      r.flops = q.opt_int64(i++);
      r.engine = q.text(i++);
      r.device = q.text(i++);
      r.precision = q.text(i++);
      r.batch = static_cast<int>(q.int64(i++));
      r.threads = static_cast<int>(q.int64(i++));
      r.sample_shape = q.text(i++);
      r.engine_version = q.text(i++);
      r.effective_threads = static_cast<int>(q.int64(i++));
      r.hostname = q.text(i++);
      r.cpu_model = q.text(i++);
      r.blas = q.text(i++);
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
      r.top1 = q.opt_real(i++);
      r.top5 = q.opt_real(i++);
      r.accuracy_source = q.text(i++);
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
      r.config_meter = q.text(i++);
      r.cross_check_meter = q.text(i++);
      r.cross_check_difference_pct = q.opt_real(i++);
      // A measured figure, where there is one, stands in for the declared one (with its source).
      const auto top1_measured = q.opt_real(i++);
      const auto top5_measured = q.opt_real(i++);
      const std::string measured_source = q.text(i++);
      if (top1_measured) {
        r.top1 = top1_measured;
        r.top5 = top5_measured;
        r.accuracy_source = measured_source;
      }
      r.peak_rss_mb = q.opt_real(i++);
      r.host_fingerprint = q.text(i++);
      const std::string declared_dataset = q.text(i++);
      // The manifest names the dataset of declared figures; a measured source names its own.
      r.accuracy_dataset = top1_measured || declared_dataset.empty() ? dataset_of_accuracy_source(r.accuracy_source)
                                                                     : declared_dataset;
      r.platform = q.text(i++);
      r.platform_state_json = q.text(i++);
      for (const auto& field : config_fields()) {
        const std::string value = field.is_switch ? (q.int64(i++) != 0 ? "on" : "off") : q.text(i++);
        if (value != field.default_value()) r.knobs[field.name] = value;
      }
      if (r.energy_j_per_inference) r.accuracy_per_joule = accuracy_per_joule(r.top1, *r.energy_j_per_inference);
      out.push_back(std::move(r));
    }
    return out;
  }

  int64_t save_evaluation(const StoredEvaluation& ev) override {
    exec("BEGIN IMMEDIATE");
    try {
      Statement run(db_, path_, R"sql(
        INSERT INTO evaluation_runs (created_at_utc, host_fingerprint, settings_json, budgets, violations,
          budget_use_median, budget_use_worst, regret_median_pct, regret_worst_pct, edgejoule_version)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10))sql");
      run.bind(1, utc_now_iso8601()).bind(2, ev.host_fingerprint).bind(3, ev.settings_json)
          .bind(4, static_cast<int64_t>(ev.rows.size())).bind(5, ev.violations).bind(6, ev.budget_use_median)
          .bind(7, ev.budget_use_worst).bind(8, ev.regret_median_pct).bind(9, ev.regret_worst_pct)
          .bind(10, EDGEJOULE_VERSION).run();
      const int64_t run_id = sqlite3_last_insert_rowid(db_);
      for (const auto& r : ev.rows) {
        Statement ins(db_, path_, R"sql(
          INSERT INTO evaluations (run_id, budget_index, energy_budget_j, point_id, predicted, label, top1,
            expected_energy_j, remeasured_energy_j, remeasured_energy_ci95_j, remeasure_status, budget_use,
            violation, oracle_point_id, oracle_top1, regret_pct, prediction_error_pct)
          VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17))sql");
        ins.bind(1, run_id).bind(2, r.budget_index).bind(3, r.energy_budget_j).bind(4, r.point_id)
            .bind(5, r.predicted ? 1 : 0).bind(6, r.label).bind(7, r.top1).bind(8, r.expected_energy_j)
            .bind(9, r.remeasured_energy_j).bind(10, r.remeasured_energy_ci95_j).bind(11, r.remeasure_status)
            .bind(12, r.budget_use).bind(13, r.violation ? 1 : 0).bind(14, r.oracle_point_id)
            .bind(15, r.oracle_top1).bind(16, r.regret_pct).bind(17, r.prediction_error_pct).run();
      }
      exec("COMMIT");
      return run_id;
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

 private:
  void exec(const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      const std::string detail = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      fail(path_, rc, detail);
    }
  }

  int64_t scalar_int(const char* sql) {
    Statement q(db_, path_, sql);
    return q.step() ? q.int64(0) : 0;
  }

  void check_or_create_schema(OpenMode mode, bool existed) {
    // The first read of a garbage file is where SQLite reports "file is not a database".
    const int64_t version = scalar_int("PRAGMA user_version");
    const int64_t tables = scalar_int("SELECT count(*) FROM sqlite_master WHERE type = 'table'");
    if (version == 0 && tables == 0) {
      if (mode == OpenMode::kReadOnly) {
        throw Error("database '" + path_ + "' is empty: run 'edgejoule profile' first");
      }
      exec("BEGIN IMMEDIATE");
      try {
        // Another process may have created it between our check and the lock.
        if (scalar_int("SELECT count(*) FROM sqlite_master WHERE type = 'table'") == 0) {
          exec(schema::kCreateV1);
          exec("PRAGMA user_version = 1");
        }
        exec("COMMIT");
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
      migrate();
    } else {
      const bool ours =
          scalar_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'") ==
          1;
      if (!ours || version == 0) {
        throw Error("'" + path_ + "' is an SQLite database but not an edgejoule store: pass "
                    "another --db; it was not modified");
      }
      if (version > kSchemaVersion) {
        throw Error("database '" + path_ + "' was written by a newer edgejoule (schema " +
                    std::to_string(version) + ", this build knows " +
                    std::to_string(kSchemaVersion) + "): upgrade edgejoule or pass another --db");
      }
      if (version < kSchemaVersion) {
        if (sqlite3_db_readonly(db_, "main") == 1) {
          throw Error("database '" + path_ + "' has schema " + std::to_string(version) +
                      " and must be upgraded to " + std::to_string(kSchemaVersion) +
                      ", but it is read-only here: make it writable and run again");
        }
        migrate();
      }
    }
    (void)existed;
    add_knob_columns(mode);
    if (mode == OpenMode::kReadWrite) {
      // WAL: readers never block the writer and never see a half-written point.
      exec("PRAGMA journal_mode = WAL");
      exec("PRAGMA synchronous = NORMAL");
    }
    exec("PRAGMA foreign_keys = ON");
  }

  // The configuration fields' columns of `configs` come from the field table: a field added
  // since the store was written gets its column (at the field's default) when a writer opens
  // it; a reader reads the default for it.
  void add_knob_columns(OpenMode mode) {
    config_columns_.clear();
    {
      Statement q(db_, path_, "SELECT name FROM pragma_table_info('configs')");
      while (q.step()) config_columns_.insert(q.text(0));
    }
    if (mode != OpenMode::kReadWrite) return;
    for (const auto& field : config_fields()) {
      if (config_columns_.count(field.name)) continue;
      const std::string sql = "ALTER TABLE configs ADD COLUMN " + field.name +
                              (field.is_switch ? " INTEGER NOT NULL DEFAULT 0"
                                               : " TEXT NOT NULL DEFAULT '" + field.default_value() + "'");
      exec(sql.c_str());
      config_columns_.insert(field.name);
    }
  }

  // A field's column in a select, or its default where the store has no column for it.
  std::string knob_column(const ConfigField& field) const {
    if (config_columns_.count(field.name)) return "c." + field.name;
    return field.is_switch ? "0" : "'" + field.default_value() + "'";
  }
  std::string knob_select() const {
    std::string out;
    for (const auto& field : config_fields()) out += ", " + knob_column(field);
    return out;
  }

  // Applies every migration from the stored version up, each in its own transaction, so a
  // crash leaves the store at one version or the next, never between.
  void migrate() {
    while (true) {
      exec("BEGIN IMMEDIATE");
      try {
        const int64_t version = scalar_int("PRAGMA user_version");
        if (version >= kSchemaVersion) {
          exec("COMMIT");
          return;
        }
        exec(schema::kMigrations[version - 1]);
        if (version + 1 == 5) rekey_hosts();
        exec(("PRAGMA user_version = " + std::to_string(version + 1)).c_str());
        exec("COMMIT");
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
  }

  int64_t upsert_host(const HostInfo& h) {
    const std::string fp = h.fingerprint();
    Statement ins(db_, path_, R"sql(
      INSERT OR IGNORE INTO hosts (fingerprint, hostname, cpu_model, cpu_cores, memory_mb, os,
        kernel, gpu_name, gpu_driver, engine_versions, blas, blas_library, first_seen_utc)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13))sql");
    ins.bind(1, fp).bind(2, h.hostname).bind(3, h.cpu_model).bind(4, h.cpu_cores)
        .bind(5, h.memory_mb).bind(6, h.os).bind(7, h.kernel).bind(8, h.gpu_name)
        .bind(9, h.gpu_driver).bind(10, h.engine_versions).bind(11, h.blas.name)
        .bind(12, h.blas.library).bind(13, utc_now_iso8601()).run();
    Statement q(db_, path_, "SELECT id FROM hosts WHERE fingerprint = ?1");
    q.bind(1, fp);
    q.step();
    return q.int64(0);
  }

  void upsert_model_path(int64_t model_id, int64_t host_id, const std::string& path) {
    Statement q(db_, path_, R"sql(
      INSERT INTO model_paths (model_id, host_id, path) VALUES (?1, ?2, ?3)
      ON CONFLICT (model_id, host_id) DO UPDATE SET path = excluded.path)sql");
    q.bind(1, model_id).bind(2, host_id).bind(3, path).run();
  }

  // Schema v5: a host's fingerprint no longer includes the engine versions. Recomputes every
  // host's fingerprint from its stored fields; hosts that differed only by their engines become
  // one, keeping the newer of two copies of a point. Runs inside the migration's transaction.
  void rekey_hosts() {
    struct Row {
      int64_t id;
      std::string old_fingerprint, new_fingerprint;
    };
    std::vector<Row> hosts;
    {
      Statement q(db_, path_, R"sql(
        SELECT id, fingerprint, hostname, cpu_model, cpu_cores, memory_mb, os, kernel, gpu_name, gpu_driver,
               blas, blas_library FROM hosts ORDER BY id)sql");
      while (q.step()) {
        HostInfo h;
        int i = 2;
        h.hostname = q.text(i++);
        h.cpu_model = q.text(i++);
        h.cpu_cores = static_cast<int>(q.int64(i++));
        h.memory_mb = q.int64(i++);
        h.os = q.text(i++);
        h.kernel = q.text(i++);
        h.gpu_name = q.text(i++);
        h.gpu_driver = q.text(i++);
        h.blas.name = q.text(i++);
        h.blas.library = q.text(i++);
        hosts.push_back({q.int64(0), q.text(1), h.fingerprint()});
      }
    }
    std::map<std::string, int64_t> survivor;  // new fingerprint -> the oldest host with it
    for (const auto& h : hosts) {
      auto [it, fresh] = survivor.emplace(h.new_fingerprint, h.id);
      if (!fresh) merge_host(h.id, it->second);
    }
    for (const auto& h : hosts) {
      if (survivor.at(h.new_fingerprint) != h.id) continue;
      Statement up(db_, path_, "UPDATE hosts SET fingerprint = ?2 WHERE id = ?1");
      up.bind(1, h.id).bind(2, h.new_fingerprint).run();
    }
    for (const auto& h : hosts) {
      Statement up(db_, path_, "UPDATE evaluation_runs SET host_fingerprint = ?2 WHERE host_fingerprint = ?1");
      up.bind(1, h.old_fingerprint).bind(2, h.new_fingerprint).run();
    }
  }

  // Moves host `from`'s points and model paths to host `into` and deletes `from`; of two copies
  // of a point, the one stored later stays. Foreign keys are off during migrations, so the
  // windows of a dropped copy are deleted here.
  void merge_host(int64_t from, int64_t into) {
    Statement older(db_, path_, R"sql(
      SELECT CASE WHEN a.stored_at_utc >= b.stored_at_utc THEN b.id ELSE a.id END
      FROM points a JOIN points b ON a.model_id = b.model_id AND a.config_id = b.config_id
      WHERE a.host_id = ?1 AND b.host_id = ?2)sql");
    older.bind(1, from).bind(2, into);
    std::vector<int64_t> drop;
    while (older.step()) drop.push_back(older.int64(0));
    for (const int64_t id : drop) {
      Statement w(db_, path_, "DELETE FROM windows WHERE point_id = ?1");
      w.bind(1, id).run();
      Statement e(db_, path_, "UPDATE evaluations SET point_id = NULL WHERE point_id = ?1");
      e.bind(1, id).run();
      Statement o(db_, path_, "UPDATE evaluations SET oracle_point_id = NULL WHERE oracle_point_id = ?1");
      o.bind(1, id).run();
      Statement p(db_, path_, "DELETE FROM points WHERE id = ?1");
      p.bind(1, id).run();
    }
    Statement move(db_, path_, "UPDATE points SET host_id = ?2 WHERE host_id = ?1");
    move.bind(1, from).bind(2, into).run();
    Statement paths(db_, path_, "UPDATE OR IGNORE model_paths SET host_id = ?2 WHERE host_id = ?1");
    paths.bind(1, from).bind(2, into).run();
    Statement left(db_, path_, "DELETE FROM model_paths WHERE host_id = ?1");
    left.bind(1, from).run();
    Statement del(db_, path_, "DELETE FROM hosts WHERE id = ?1");
    del.bind(1, from).run();
  }

  int64_t upsert_model(const ModelInfo& m) {
    Statement ins(db_, path_, R"sql(
      INSERT INTO models (content_sha256, name, family, format, path, params, flops,
        sample_shape, top1_declared, top5_declared, accuracy_source, accuracy_dataset)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
      ON CONFLICT (content_sha256) DO UPDATE SET
        params = coalesce(excluded.params, params), flops = coalesce(excluded.flops, flops),
        accuracy_dataset = CASE WHEN excluded.accuracy_dataset = '' THEN accuracy_dataset
                                ELSE excluded.accuracy_dataset END)sql");
    ins.bind(1, m.content_sha256).bind(2, m.name).bind(3, m.family).bind(4, m.format)
        .bind(5, m.path).bind(6, m.params).bind(7, m.flops).bind(8, format_shape(m.sample_shape))
        .bind(9, m.top1).bind(10, m.top5).bind(11, m.accuracy_source)
        .bind(12, m.accuracy_dataset).run();
    Statement q(db_, path_, "SELECT id FROM models WHERE content_sha256 = ?1");
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
    const std::string sql = "INSERT OR IGNORE INTO configs (" + columns + ") VALUES (" + values + ")";
    Statement ins(db_, path_, sql.c_str());
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
    Statement q(db_, path_, "SELECT id FROM configs WHERE key = ?1");
    q.bind(1, key);
    q.step();
    return q.int64(0);
  }

  int64_t insert_point(const PointRecord& r, const HostInfo& host, int64_t model_id,
                       int64_t config_id, int64_t host_id) {
    const auto& res = r.result;
    const bool measured = res.verdict != Verdict::kUnsupported;
    nlohmann::json settings = {
        {"requested",
         {{"engine", r.config.engine}, {"device", r.config.device},
          {"precision", r.config.precision}, {"batch", r.config.batch},
          {"threads", r.config.threads}, {"input_shape", r.config.input_shape()},
          {"platform", r.config.platform}}},
        {"effective",
         {{"engine", r.runtime.engine}, {"engine_version", r.runtime.engine_version},
          {"device", r.runtime.device}, {"device_name", r.runtime.device_name},
          {"precision", r.runtime.precision}, {"threads", r.runtime.threads},
          {"backend", r.runtime.backend},
          {"blas", host.blas.name}, {"blas_library", host.blas.library}}},
        {"protocol",
         {{"warmup_s", r.protocol.warmup_s},
          {"warmup_min_iterations", r.protocol.warmup_min_iterations},
          {"min_time_s", r.protocol.min_time_s},
          {"min_window_iterations", r.protocol.min_window_iterations},
          {"repetitions", r.protocol.repetitions},
          {"max_cv", r.protocol.max_cv},
          {"meter_periods_per_window", r.protocol.meter_periods_per_window},
          {"idle_baseline", r.protocol.idle_baseline}}},
        {"model", {{"path", r.model.path}, {"sha256", r.model.content_sha256}}},
    };
    for (const auto& field : config_fields()) {
      settings["requested"][field.name] = knob_json(field, r.config.knob(field.name));
      if (const auto it = r.runtime.knobs.find(field.name); it != r.runtime.knobs.end()) {
        settings["effective"][field.name] = knob_json(field, it->second);
      }
    }
    int64_t iterations = 0;
    for (const auto& w : res.windows) iterations += w.iterations;
    auto if_measured = [&](double v) { return measured ? std::optional<double>(v) : std::nullopt; };

    Statement ins(db_, path_, R"sql(
      INSERT INTO points (model_id, config_id, host_id, status, reason, started_at_utc,
        stored_at_utc, engine_version, effective_device, effective_precision, effective_threads,
        warmup_s, warmup_iterations, repetitions, iterations, latency_ms_mean, latency_ms_stddev,
        latency_ms_min, latency_ms_max, latency_ms_p50, latency_ms_p90, latency_ms_p99,
        window_latency_ms_cv, window_latency_ms_ci95, throughput_sps, settings_json,
        edgejoule_version, platform_json)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
              ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28))sql");
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
        .bind(27, EDGEJOULE_VERSION).bind(28, r.platform_state_json)
        .run();
    const int64_t point_id = sqlite3_last_insert_rowid(db_);
    if (measured && res.peak_rss_mb) {
      Statement up(db_, path_, "UPDATE points SET peak_rss_mb = ?2 WHERE id = ?1");
      up.bind(1, point_id).bind(2, res.peak_rss_mb).run();
    }
    if (r.accuracy) {
      Statement up(db_, path_, R"sql(
        UPDATE points SET top1_measured = ?2, top5_measured = ?3, accuracy_samples = ?4,
          measured_accuracy_source = ?5 WHERE id = ?1)sql");
      up.bind(1, point_id).bind(2, r.accuracy->top1).bind(3, r.accuracy->top5)
          .bind(4, static_cast<int64_t>(r.accuracy->samples)).bind(5, r.accuracy->source).run();
    }
    if (measured && res.energy) {
      const auto& e = *res.energy;
      Statement up(db_, path_, R"sql(
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
    Statement ins(db_, path_, R"sql(
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

  std::string path_;
  sqlite3* db_ = nullptr;
  std::set<std::string> config_columns_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path, OpenMode mode) {
  return std::make_unique<SqliteStore>(path, mode);
}

const std::vector<StoreBackend>& store_backends() {
  static const std::vector<StoreBackend> backends = {
      {"sqlite", "sqlite:edgejoule.db (or just a path)", true, ""},
      {"postgresql", "postgresql://user@host:5432/db", false,
       "the PostgreSQL fleet store is not built into this edgejoule yet"},
  };
  return backends;
}

std::unique_ptr<Store> open_store(const std::string& uri, OpenMode mode) {
  const auto colon = uri.find(':');
  // "C:..." is not a concern on Linux; a scheme is letters before ':' (and "//" for servers).
  std::string scheme = colon == std::string::npos ? "" : uri.substr(0, colon);
  const bool is_scheme = !scheme.empty() && std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '+';
  });
  if (!is_scheme) return open_sqlite_store(uri, mode);
  if (scheme == "sqlite") {
    std::string path = uri.substr(colon + 1);
    if (starts_with(path, "//")) path = path.substr(2);  // sqlite://PATH as well as sqlite:PATH
    if (path.empty()) throw Error("--db sqlite: needs a file path after 'sqlite:', e.g. sqlite:edgejoule.db");
    return open_sqlite_store(path, mode);
  }
  for (const auto& b : store_backends()) {
    if (b.scheme == scheme || (scheme == "postgres" && b.scheme == "postgresql")) {
      throw Error("cannot open --db " + redact_uri(uri) + ": " + b.build_hint + "; use an SQLite file (" +
                  store_backends().front().example + ")");
    }
  }
  // Not a scheme we know: a file name with a colon in it.
  return open_sqlite_store(uri, mode);
}

}  // namespace edgejoule
