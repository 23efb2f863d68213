#pragma once
// Schema version 1 as first released (frozen: databases are created at v1 and migrated, so the
// migration path runs on every new store). Numbers are stored as numbers, units are in column names, and every point
// keeps the effective settings it was measured with (settings_json) so it can be reproduced.

namespace edgejoule::schema {

inline constexpr const char* kCreateV1 = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE hosts (
  id               INTEGER PRIMARY KEY,
  fingerprint      TEXT NOT NULL UNIQUE,
  hostname         TEXT NOT NULL,
  cpu_model        TEXT NOT NULL,
  cpu_cores        INTEGER NOT NULL,
  memory_mb        INTEGER NOT NULL,
  os               TEXT NOT NULL,
  kernel           TEXT NOT NULL,
  gpu_name         TEXT NOT NULL DEFAULT '',
  gpu_driver       TEXT NOT NULL DEFAULT '',
  engine_versions  TEXT NOT NULL,
  blas             TEXT NOT NULL,
  blas_library     TEXT NOT NULL,
  first_seen_utc   TEXT NOT NULL
);
CREATE TABLE models (
  id               INTEGER PRIMARY KEY,
  content_sha256   TEXT NOT NULL UNIQUE,
  name             TEXT NOT NULL,
  family           TEXT NOT NULL,
  format           TEXT NOT NULL,
  path             TEXT NOT NULL,
  params           INTEGER,
  flops            INTEGER,
  sample_shape     TEXT NOT NULL,
  top1_declared    REAL,
  top5_declared    REAL,
  accuracy_source  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE configs (
  id               INTEGER PRIMARY KEY,
  key              TEXT NOT NULL UNIQUE,
  engine           TEXT NOT NULL,
  device           TEXT NOT NULL,
  precision        TEXT NOT NULL,
  batch            INTEGER NOT NULL,
  threads          INTEGER NOT NULL,
  sample_shape     TEXT NOT NULL
);
CREATE TABLE points (
  id                        INTEGER PRIMARY KEY,
  model_id                  INTEGER NOT NULL REFERENCES models(id),
  config_id                 INTEGER NOT NULL REFERENCES configs(id),
  host_id                   INTEGER NOT NULL REFERENCES hosts(id),
  status                    TEXT NOT NULL CHECK (status IN ('VALID', 'INVALID', 'UNSUPPORTED')),
  reason                    TEXT NOT NULL DEFAULT '',
  started_at_utc            TEXT NOT NULL,
  stored_at_utc             TEXT NOT NULL,
  engine_version            TEXT NOT NULL DEFAULT '',
  effective_device          TEXT NOT NULL DEFAULT '',
  effective_precision       TEXT NOT NULL DEFAULT '',
  effective_threads         INTEGER,
  warmup_s                  REAL,
  warmup_iterations         INTEGER,
  repetitions               INTEGER NOT NULL,
  iterations                INTEGER,
  latency_ms_mean           REAL,
  latency_ms_stddev         REAL,
  latency_ms_min            REAL,
  latency_ms_max            REAL,
  latency_ms_p50            REAL,
  latency_ms_p90            REAL,
  latency_ms_p99            REAL,
  window_latency_ms_cv      REAL,
  window_latency_ms_ci95    REAL,
  throughput_sps            REAL,
  settings_json             TEXT NOT NULL,
  edgejoule_version         TEXT NOT NULL,
  UNIQUE (model_id, config_id, host_id)
);
CREATE TABLE windows (
  point_id          INTEGER NOT NULL REFERENCES points(id) ON DELETE CASCADE,
  repetition        INTEGER NOT NULL,
  duration_s        REAL NOT NULL,
  iterations        INTEGER NOT NULL,
  samples           INTEGER NOT NULL,
  latency_ms_mean   REAL NOT NULL,
  latency_ms_stddev REAL,
  latency_ms_min    REAL NOT NULL,
  latency_ms_max    REAL NOT NULL,
  latency_ms_p50    REAL NOT NULL,
  latency_ms_p90    REAL NOT NULL,
  latency_ms_p99    REAL NOT NULL,
  throughput_sps    REAL NOT NULL,
  PRIMARY KEY (point_id, repetition)
);
INSERT INTO meta (key, value) VALUES ('application', 'edgejoule');
)sql";

// Version 2: energy per point and per window, with the meter and its provenance.
inline constexpr const char* kMigrateV1ToV2 = R"sql(
ALTER TABLE points ADD COLUMN meter TEXT NOT NULL DEFAULT '';
ALTER TABLE points ADD COLUMN energy_provenance TEXT NOT NULL DEFAULT '';
ALTER TABLE points ADD COLUMN meter_update_period_s REAL;
ALTER TABLE points ADD COLUMN idle_power_w REAL;
ALTER TABLE points ADD COLUMN idle_duration_s REAL;
ALTER TABLE points ADD COLUMN mean_power_w REAL;
ALTER TABLE points ADD COLUMN energy_j_per_inference_mean REAL;
ALTER TABLE points ADD COLUMN energy_j_per_inference_stddev REAL;
ALTER TABLE points ADD COLUMN energy_j_per_inference_cv REAL;
ALTER TABLE points ADD COLUMN energy_j_per_inference_ci95 REAL;
ALTER TABLE points ADD COLUMN energy_above_idle_j_per_inference_mean REAL;
ALTER TABLE points ADD COLUMN energy_above_idle_j_per_inference_ci95 REAL;
ALTER TABLE points ADD COLUMN top1_measured REAL;
ALTER TABLE points ADD COLUMN top5_measured REAL;
ALTER TABLE points ADD COLUMN accuracy_samples INTEGER;
ALTER TABLE points ADD COLUMN measured_accuracy_source TEXT NOT NULL DEFAULT '';
ALTER TABLE points ADD COLUMN cross_check_meter TEXT NOT NULL DEFAULT '';
ALTER TABLE points ADD COLUMN cross_check_difference_pct REAL;
ALTER TABLE configs ADD COLUMN meter TEXT NOT NULL DEFAULT '';
ALTER TABLE windows ADD COLUMN start_unix_s REAL;
ALTER TABLE windows ADD COLUMN end_unix_s REAL;
ALTER TABLE windows ADD COLUMN energy_j REAL;
ALTER TABLE windows ADD COLUMN mean_power_w REAL;
ALTER TABLE windows ADD COLUMN meter_updates INTEGER;
ALTER TABLE windows ADD COLUMN energy_invalid_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE windows ADD COLUMN cross_check_energy_j REAL;
)sql";

// Version 3: the process's peak resident memory while a point ran, and the recommender's
// evaluations (one run = many budgets, each with the pick re-measured). An evaluation keeps its
// figures when `profile --force` replaces the point it picked; only the link is cleared.
inline constexpr const char* kMigrateV2ToV3 = R"sql(
ALTER TABLE points ADD COLUMN peak_rss_mb REAL;
ALTER TABLE models ADD COLUMN accuracy_dataset TEXT NOT NULL DEFAULT '';
CREATE TABLE evaluation_runs (
  id                 INTEGER PRIMARY KEY,
  created_at_utc     TEXT NOT NULL,
  host_fingerprint   TEXT NOT NULL,
  settings_json      TEXT NOT NULL,
  budgets            INTEGER NOT NULL,
  violations         INTEGER NOT NULL,
  budget_use_median  REAL,
  budget_use_worst   REAL,
  regret_median_pct  REAL,
  regret_worst_pct   REAL,
  edgejoule_version  TEXT NOT NULL
);
CREATE TABLE evaluations (
  run_id                     INTEGER NOT NULL REFERENCES evaluation_runs(id) ON DELETE CASCADE,
  budget_index               INTEGER NOT NULL,
  energy_budget_j            REAL NOT NULL,
  point_id                   INTEGER REFERENCES points(id) ON DELETE SET NULL,
  predicted                  INTEGER NOT NULL DEFAULT 0,
  label                      TEXT NOT NULL DEFAULT '',
  top1                       REAL,
  expected_energy_j          REAL,
  remeasured_energy_j        REAL,
  remeasured_energy_ci95_j   REAL,
  remeasure_status           TEXT NOT NULL DEFAULT '',
  budget_use                 REAL,
  violation                  INTEGER NOT NULL DEFAULT 0,
  oracle_point_id            INTEGER REFERENCES points(id) ON DELETE SET NULL,
  oracle_top1                REAL,
  regret_pct                 REAL,
  prediction_error_pct       REAL,
  PRIMARY KEY (run_id, budget_index)
);
)sql";

// Version 4: the configuration knobs beyond engine/device/precision/batch/threads (graph
// optimisation, memory format, platform power settings), and the platform's power state as
// read while each point ran (CPU governor and frequencies, GPU power limit and clocks, Jetson
// power mode) as JSON.
inline constexpr const char* kMigrateV3ToV4 = R"sql(
ALTER TABLE configs ADD COLUMN optimize INTEGER NOT NULL DEFAULT 0;
ALTER TABLE configs ADD COLUMN memory_format TEXT NOT NULL DEFAULT 'contiguous';
ALTER TABLE configs ADD COLUMN platform TEXT NOT NULL DEFAULT '';
ALTER TABLE points ADD COLUMN platform_json TEXT NOT NULL DEFAULT '';
)sql";

// Version 5: a model's path per host (the same file lives at another path on each device;
// before, the last writer's path was the only one kept), and hosts whose fingerprint no longer
// includes the engine versions: the store re-keys them in code right after this script
// (sqlite_store.cpp, rekey_hosts), merging hosts that differed only by their engines.
inline constexpr const char* kMigrateV4ToV5 = R"sql(
CREATE TABLE model_paths (
  model_id  INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  host_id   INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  path      TEXT NOT NULL,
  PRIMARY KEY (model_id, host_id)
);
INSERT OR IGNORE INTO model_paths (model_id, host_id, path)
  SELECT DISTINCT p.model_id, p.host_id, m.path FROM points p JOIN models m ON m.id = p.model_id;
)sql";

// Version 6: the points a frontier sweep left unmeasured, with what the cost model predicted
// for them and the margin it allowed (profile --strategy frontier). A table of their own, so no
// reader of `points` can take a prediction for a measurement; storing a measured point for the
// same (model, configuration, host) drops its prediction (sql_store.h, write_point).
inline constexpr const char* kMigrateV5ToV6 = R"sql(
CREATE TABLE predictions (
  id                        INTEGER PRIMARY KEY,
  model_id                  INTEGER NOT NULL REFERENCES models(id),
  config_id                 INTEGER NOT NULL REFERENCES configs(id),
  host_id                   INTEGER NOT NULL REFERENCES hosts(id),
  predictor                 TEXT NOT NULL,
  energy_j_per_inference    REAL NOT NULL,
  latency_ms_p50            REAL,
  margin                    REAL NOT NULL,
  reason                    TEXT NOT NULL,
  predicted_at_utc          TEXT NOT NULL,
  edgejoule_version         TEXT NOT NULL,
  UNIQUE (model_id, config_id, host_id)
);
)sql";

// Version 7: how the point's queries were issued (the scenario is in its configuration): requests
// in flight, the active share of the windows (a server idles between arrivals), the mean call time
// without queueing, the server's arrival seed and the arrivals it dropped when it fell behind.
// Points from before are single-stream: one request, busy throughout, nothing dropped.
inline constexpr const char* kMigrateV6ToV7 = R"sql(
ALTER TABLE points ADD COLUMN requests_in_flight INTEGER NOT NULL DEFAULT 1;
ALTER TABLE points ADD COLUMN busy_fraction REAL;
ALTER TABLE points ADD COLUMN service_ms_mean REAL;
ALTER TABLE points ADD COLUMN arrival_seed INTEGER;
ALTER TABLE points ADD COLUMN dropped_queries INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 8: runs under a budget ('edgejoule run'), each a record of its own, not a point: the
// figures lists and filters need as columns, the rest (configurations, shares, switches, events)
// as the JSON document `run --json` prints.
inline constexpr const char* kMigrateV7ToV8 = R"sql(
CREATE TABLE runs (
  id                        INTEGER PRIMARY KEY,
  started_at_utc            TEXT NOT NULL,
  ended_at_utc              TEXT NOT NULL,
  hostname                  TEXT NOT NULL,
  host_fingerprint          TEXT NOT NULL,
  status                    TEXT NOT NULL,
  stop_reason               TEXT NOT NULL,
  budget_j                  REAL NOT NULL,
  energy_j                  REAL,
  energy_provenance         TEXT NOT NULL,
  inferences_planned        INTEGER NOT NULL,
  inferences_done           INTEGER NOT NULL,
  top1                      REAL,
  accuracy_source           TEXT NOT NULL,
  switches                  INTEGER NOT NULL,
  degraded                  INTEGER NOT NULL,
  record_json               TEXT NOT NULL,
  edgejoule_version         TEXT NOT NULL
);
)sql";

// Version 9: what the engine applied when an evaluation measured its pick again (the effective
// settings a point keeps in its settings_json), so a re-measurement can be compared with the
// point it checks; '' where the pick was not measured again.
inline constexpr const char* kMigrateV8ToV9 = R"sql(
ALTER TABLE evaluations ADD COLUMN effective_json TEXT NOT NULL DEFAULT '';
)sql";

// migrations[i] takes a store from version i + 1 to i + 2.
inline constexpr const char* kMigrations[] = {kMigrateV1ToV2, kMigrateV2ToV3, kMigrateV3ToV4, kMigrateV4ToV5,
                                              kMigrateV5ToV6, kMigrateV6ToV7, kMigrateV7ToV8, kMigrateV8ToV9};

}  // namespace edgejoule::schema
