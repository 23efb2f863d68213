// Every earlier schema version opens, migrates in place and keeps its points.

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "store/schema.h"
#include "support/sqlite_query.h"
#include "store/store.h"

namespace edgejoule {
namespace {

namespace fs = std::filesystem;

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
}

int64_t scalar(const std::string& path, const char* sql) { return testing::query_int(path, sql); }

// A store exactly as edgejoule 0.1 with schema 1 left it, holding one latency-only point.
std::string make_v1_store(const std::string& name) {
  const std::string path = (fs::path(::testing::TempDir()) / name).string();
  fs::remove(path);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  exec(db, schema::kCreateV1);
  exec(db, "PRAGMA user_version = 1");
  exec(db, R"sql(
    INSERT INTO hosts VALUES (1, 'fp', 'h', 'cpu', 2, 1024, 'os', 'k', '', '', 'torchscript=libtorch 1.13.0',
                              'openblas-openmp', '/lib/libblas.so.3', '2026-11-26T00:00:00Z');
    INSERT INTO models VALUES (1, 'sha', 'resnet18', 'resnet', 'torchscript', '/z/resnet18.pt', 11689512, NULL,
                               '3x224x224', 69.758, 89.078, 'declared:torchvision-0.14.1:W');
    INSERT INTO configs VALUES (1, 'engine=torchscript;device=cpu;precision=fp32;batch=1;threads=2;shape=3x224x224',
                                'torchscript', 'cpu', 'fp32', 1, 2, '3x224x224');
    INSERT INTO points (id, model_id, config_id, host_id, status, reason, started_at_utc, stored_at_utc,
                        repetitions, iterations, latency_ms_p50, settings_json, edgejoule_version)
      VALUES (1, 1, 1, 1, 'VALID', '', '2026-11-26T00:00:00Z', '2026-11-26T00:00:05Z', 3, 120, 23.0, '{}', '0.1.0');
    INSERT INTO windows (point_id, repetition, duration_s, iterations, samples, latency_ms_mean, latency_ms_min,
                         latency_ms_max, latency_ms_p50, latency_ms_p90, latency_ms_p99, throughput_sps)
      VALUES (1, 0, 1.0, 40, 40, 23.0, 22.0, 25.0, 23.0, 24.0, 25.0, 43.0);
  )sql");
  sqlite3_close(db);
  return path;
}

TEST(Migration, V1StoreIsUpgradedAndKeepsItsPoints) {
  const auto path = make_v1_store("v1.db");
  {
    auto store = open_sqlite_store(path, OpenMode::kReadWrite);
    const auto rows = store->rows({});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].model, "resnet18");
    EXPECT_DOUBLE_EQ(*rows[0].latency_ms_p50, 23.0);
    EXPECT_FALSE(rows[0].energy_j_per_inference);  // measured before energy existed
    EXPECT_TRUE(rows[0].energy_provenance.empty());
  }
  EXPECT_EQ(scalar(path, "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM windows WHERE energy_j IS NULL"), 1);
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM pragma_table_info('points') WHERE name = 'energy_j_per_inference_mean'"), 1);
  // Version 3: peak memory, the accuracy's dataset, and the recommender's evaluations.
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM points WHERE peak_rss_mb IS NULL"), 1);
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM models WHERE accuracy_dataset = ''"), 1);
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM evaluation_runs"), 0);
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM evaluations"), 0);
  // Version 4: the old configuration is the knobs' defaults, so its key still matches.
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM configs WHERE optimize = 0 AND memory_format = 'contiguous' "
                         "AND platform = '' AND key = 'engine=torchscript;device=cpu;precision=fp32;batch=1;"
                         "threads=2;shape=3x224x224'"), 1);
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM points WHERE platform_json = ''"), 1);
  // Version 7: a point from before the scenarios is single-stream: one request, nothing dropped.
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM points WHERE requests_in_flight = 1 AND dropped_queries = 0 "
                         "AND busy_fraction IS NULL AND arrival_seed IS NULL"), 1);
  {
    // A v1 point with a declared source and no dataset stays without one (not guessed).
    auto store = open_sqlite_store(path, OpenMode::kReadOnly);
    EXPECT_EQ(store->rows({})[0].accuracy_dataset, "");
    EXPECT_EQ(knob_value(store->rows({})[0].knobs, "scenario"), "single-stream");
    EXPECT_EQ(store->rows({})[0].requests_in_flight, 1);
  }
  // Opening again is a no-op.
  open_sqlite_store(path, OpenMode::kReadWrite);
  EXPECT_EQ(scalar(path, "PRAGMA user_version"), kSchemaVersion);
}

// A store left at every earlier version (v1 plus the migrations up to it) opens, is upgraded
// and keeps its point: the path from each released version is exercised, not only from v1.
TEST(Migration, EveryEarlierVersionIsUpgraded) {
  for (int version = 1; version < kSchemaVersion; ++version) {
    SCOPED_TRACE("from version " + std::to_string(version));
    const auto path = make_v1_store("v" + std::to_string(version) + "_all.db");
    {
      sqlite3* db = nullptr;
      sqlite3_open(path.c_str(), &db);
      for (int v = 1; v < version; ++v) exec(db, schema::kMigrations[v - 1]);
      exec(db, ("PRAGMA user_version = " + std::to_string(version)).c_str());
      sqlite3_close(db);
    }
    auto store = open_sqlite_store(path, OpenMode::kReadWrite);
    const auto rows = store->rows({});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_DOUBLE_EQ(*rows[0].latency_ms_p50, 23.0);
    EXPECT_EQ(knob_value(rows[0].knobs, "memory_format"), "contiguous");
    EXPECT_EQ(scalar(path, "PRAGMA user_version"), kSchemaVersion);
    EXPECT_EQ(scalar(path, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'"), 0);
  }
}

TEST(Migration, ReadersMigrateToo) {
  const auto path = make_v1_store("v1_reader.db");
  auto store = open_sqlite_store(path, OpenMode::kReadOnly);
  EXPECT_EQ(store->rows({}).size(), 1u);
  EXPECT_EQ(scalar(path, "PRAGMA user_version"), kSchemaVersion);
}

TEST(Migration, NewStoresAreCreatedThroughTheMigrations) {
  const auto path = (fs::path(::testing::TempDir()) / "new.db").string();
  fs::remove(path);
  open_sqlite_store(path, OpenMode::kReadWrite);
  EXPECT_EQ(scalar(path, "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM pragma_table_info('windows') WHERE name = 'energy_j'"), 1);
  EXPECT_EQ(static_cast<size_t>(kSchemaVersion - 1), std::size(schema::kMigrations));
}

// Version 5 re-keys hosts without their engine versions: two hosts of one machine that differed
// only by the engines built in become one; of two copies of a point the newer stays, with its
// windows; the other host's own points move over; evaluations follow the new fingerprint.
TEST(Migration, V5MergesHostsThatDifferedOnlyByTheirEngines) {
  const auto path = make_v1_store("v5-merge.db");
  {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    for (int version = 1; version < 4; ++version) exec(db, schema::kMigrations[version - 1]);
    exec(db, "PRAGMA user_version = 4");
    exec(db, R"sql(
      INSERT INTO hosts VALUES (2, 'fp-with-opencv', 'h', 'cpu', 2, 1024, 'os', 'k', '', '',
                                'torchscript=libtorch 1.13.0;opencv=opencv 4.6.0', 'openblas-openmp',
                                '/lib/libblas.so.3', '2026-11-27T00:00:00Z');
      INSERT INTO configs (id, key, engine, device, precision, batch, threads, sample_shape)
        VALUES (2, 'engine=torchscript;device=cpu;precision=fp32;batch=4;threads=2;shape=3x224x224',
                'torchscript', 'cpu', 'fp32', 4, 2, '3x224x224');
      INSERT INTO points (id, model_id, config_id, host_id, status, reason, started_at_utc, stored_at_utc,
                          repetitions, iterations, latency_ms_p50, settings_json, edgejoule_version)
        VALUES (2, 1, 1, 2, 'VALID', '', '2026-11-27T00:00:00Z', '2026-11-27T00:00:05Z', 3, 120, 21.0, '{}', '0.1.0'),
               (3, 1, 2, 2, 'VALID', '', '2026-11-27T00:01:00Z', '2026-11-27T00:01:05Z', 3, 30, 80.0, '{}', '0.1.0');
      INSERT INTO windows (point_id, repetition, duration_s, iterations, samples, latency_ms_mean, latency_ms_min,
                           latency_ms_max, latency_ms_p50, latency_ms_p90, latency_ms_p99, throughput_sps)
        VALUES (2, 0, 1.0, 40, 40, 21.0, 20.0, 22.0, 21.0, 22.0, 22.0, 47.0);
      INSERT INTO evaluation_runs (id, created_at_utc, host_fingerprint, settings_json, budgets, violations,
                                   edgejoule_version)
        VALUES (1, '2026-11-27T00:02:00Z', 'fp-with-opencv', '{}', 1, 0, '0.1.0');
      INSERT INTO evaluations (run_id, budget_index, energy_budget_j, point_id) VALUES (1, 0, 0.5, 1);
    )sql");
    sqlite3_close(db);
  }
  HostInfo host;
  host.hostname = "h";
  host.cpu_model = "cpu";
  host.cpu_cores = 2;
  host.memory_mb = 1024;
  host.os = "os";
  host.kernel = "k";
  host.blas.name = "openblas-openmp";
  host.blas.library = "/lib/libblas.so.3";
  auto store = open_sqlite_store(path, OpenMode::kReadWrite);
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM hosts"), 1);
  const auto rows = store->rows({});
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    EXPECT_EQ(r.host_fingerprint, host.fingerprint());
    // Batch 1 was in both hosts: the newer copy (21 ms) stays; batch 4 moved over.
    EXPECT_DOUBLE_EQ(*r.latency_ms_p50, r.batch == 1 ? 21.0 : 80.0);
    EXPECT_EQ(r.model_path, "/z/resnet18.pt");
  }
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM windows"), 1);  // the dropped copy's went with it
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM evaluations WHERE point_id IS NULL"), 1);
  EXPECT_EQ(scalar(path, ("SELECT count(*) FROM evaluation_runs WHERE host_fingerprint = '" + host.fingerprint() +
                          "'").c_str()),
            1);
  EXPECT_EQ(scalar(path, "PRAGMA foreign_key_check"), -1);  // no dangling reference (no row)
  EXPECT_TRUE(store->has_point("sha", rows[0].batch == 1 ? configuration_of(rows[0]).key()
                                                         : configuration_of(rows[1]).key(),
                               host.fingerprint()));
}

}  // namespace
}  // namespace edgejoule
