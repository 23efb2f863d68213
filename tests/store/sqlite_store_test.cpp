#include <sqlite3.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/strings.h"
#include "store/store.h"
#include "support/point_records.h"
#include "support/sqlite_query.h"

namespace edgejoule {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("store_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    host_ = testing::store_test_host();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string db(const std::string& name = "test.db") const { return (dir_ / name).string(); }

  static PointRecord record(const std::string& sha, int batch, Verdict verdict = Verdict::kValid) {
    return testing::point_record(sha, batch, verdict);
  }

  static int64_t count(const std::string& path, const char* sql) { return testing::query_int(path, sql); }

  static void expect_error_containing(const std::function<void()>& f, const std::string& text) {
    try {
      f();
      ADD_FAILURE() << "no error; expected one containing '" << text << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
      EXPECT_EQ(e.exit_code(), 2) << e.what();
    }
  }

  fs::path dir_;
  HostInfo host_;
};

TEST_F(StoreTest, SavesAPointWithItsWindowsAndReadsItBack) {
  auto store = open_sqlite_store(db(), OpenMode::kReadWrite);
  EXPECT_FALSE(store->has_point("abc", record("abc", 4).config.key(), host_.fingerprint()));
  store->save_point(record("abc", 4), host_, false);
  EXPECT_TRUE(store->has_point("abc", record("abc", 4).config.key(), host_.fingerprint()));
  EXPECT_FALSE(store->has_point("abc", record("abc", 8).config.key(), host_.fingerprint()));
  EXPECT_FALSE(store->has_point("abc", record("abc", 4).config.key(), "other-host"));

  const auto rows = store->rows({});
  ASSERT_EQ(rows.size(), 1u);
  const auto& r = rows[0];
  EXPECT_EQ(r.model, "m-abc");
  EXPECT_EQ(r.batch, 4);
  EXPECT_EQ(r.status, Verdict::kValid);
  EXPECT_EQ(r.repetitions, 3);
  EXPECT_EQ(r.iterations, 300);
  EXPECT_DOUBLE_EQ(*r.latency_ms_p50, 11.0);
  EXPECT_DOUBLE_EQ(*r.throughput_sps, 400.0);
  EXPECT_DOUBLE_EQ(*r.top1, 70.5);
  EXPECT_EQ(r.accuracy_source, "declared:test:weights");
  EXPECT_EQ(r.blas, "openblas-openmp");
  EXPECT_EQ(count(db(), "SELECT count(*) FROM windows"), 3);
  EXPECT_EQ(count(db(), "PRAGMA user_version"), kSchemaVersion);
  // The effective settings travel with the point.
  EXPECT_EQ(count(db(), "SELECT json_extract(settings_json, '$.protocol.repetitions') FROM points"), 3);
  EXPECT_EQ(count(db(), "SELECT json_extract(settings_json, '$.effective.threads') FROM points"), 2);
}

TEST_F(StoreTest, ReplaceSwapsThePointAndItsWindowsAtomically) {
  auto store = open_sqlite_store(db(), OpenMode::kReadWrite);
  store->save_point(record("abc", 1), host_, false);
  // Without replace, a second save of the same point (another process won the race) keeps the first.
  EXPECT_FALSE(store->save_point(record("abc", 1), host_, false));
  EXPECT_EQ(count(db(), "SELECT count(*) FROM points"), 1);
  EXPECT_EQ(count(db(), "SELECT count(*) FROM windows"), 3);
  store->save_point(record("abc", 1), host_, true);
  EXPECT_EQ(count(db(), "SELECT count(*) FROM points"), 1);
  EXPECT_EQ(count(db(), "SELECT count(*) FROM windows"), 3);
}

// An evaluation refers to the points it picked; replacing such a point (profile --force) must
// still work, and the evaluation keeps its own figures.
TEST_F(StoreTest, ReplacingAPointAnEvaluationPickedKeepsTheEvaluation) {
  auto store = open_sqlite_store(db(), OpenMode::kReadWrite);
  ASSERT_TRUE(store->save_point(record("a", 1), host_, false));
  const int64_t id = store->rows({})[0].point_id;
  StoredEvaluation ev;
  ev.host_fingerprint = host_.fingerprint();
  ev.settings_json = "{}";
  StoredEvaluationRow row;
  row.energy_budget_j = 0.1;
  row.point_id = id;
  row.oracle_point_id = id;
  row.label = "m-a";
  row.expected_energy_j = 0.05;
  ev.rows.push_back(row);
  store->save_evaluation(ev);
  ASSERT_TRUE(store->save_point(record("a", 1), host_, true));
  EXPECT_EQ(store->rows({}).size(), 1u);
  EXPECT_EQ(testing::query_int(db(), "SELECT count(*) FROM evaluations"), 1);
  EXPECT_EQ(testing::query_int(db(), "SELECT count(*) FROM evaluations WHERE point_id IS NULL AND "
                                     "oracle_point_id IS NULL AND expected_energy_j = 0.05"),
            1);
}

TEST_F(StoreTest, UnsupportedPointsHaveAReasonAndNoFigures) {
  auto store = open_sqlite_store(db(), OpenMode::kReadWrite);
  store->save_point(record("abc", 1, Verdict::kUnsupported), host_, false);
  const auto rows = store->rows({});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, Verdict::kUnsupported);
  EXPECT_EQ(rows[0].reason, "not here");
  EXPECT_FALSE(rows[0].latency_ms_p50);
  EXPECT_FALSE(rows[0].throughput_sps);
}

TEST_F(StoreTest, FiltersByModelAndStatus) {
  auto store = open_sqlite_store(db(), OpenMode::kReadWrite);
  store->save_point(record("a", 1), host_, false);
  store->save_point(record("b", 1, Verdict::kInvalid), host_, false);
  RowFilter f;
  f.model = "m-a";
  EXPECT_EQ(store->rows(f).size(), 1u);
  f = {};
  f.status = Verdict::kInvalid;
  ASSERT_EQ(store->rows(f).size(), 1u);
  EXPECT_EQ(store->rows(f)[0].model, "m-b");
}

TEST_F(StoreTest, ReopeningKeepsEverything) {
  open_sqlite_store(db(), OpenMode::kReadWrite)->save_point(record("a", 1), host_, false);
  auto again = open_sqlite_store(db(), OpenMode::kReadWrite);
  again->save_point(record("a", 2), host_, false);
  EXPECT_EQ(open_sqlite_store(db(), OpenMode::kReadOnly)->rows({}).size(), 2u);
}

TEST_F(StoreTest, MissingDatabaseForReadingSaysToProfileFirst) {
  expect_error_containing([&] { open_sqlite_store(db("none.db"), OpenMode::kReadOnly); },
                          "run 'edgejoule profile' first");
  EXPECT_FALSE(fs::exists(db("none.db")));
}

TEST_F(StoreTest, MissingDirectoryIsNamed) {
  expect_error_containing(
      [&] { open_sqlite_store((dir_ / "no-such-dir" / "x.db").string(), OpenMode::kReadWrite); },
      "does not exist");
}

TEST_F(StoreTest, ADirectoryIsNotADatabase) {
  expect_error_containing([&] { open_sqlite_store(dir_.string(), OpenMode::kReadWrite); },
                          "is a directory");
}

TEST_F(StoreTest, GarbageFileIsReportedAndLeftUntouched) {
  const std::string garbage(4096, '\x5a');
  {
    std::ofstream out(db("garbage.db"), std::ios::binary);
    out << garbage;
  }
  expect_error_containing([&] { open_sqlite_store(db("garbage.db"), OpenMode::kReadWrite); },
                          "corrupt or not an SQLite file");
  EXPECT_EQ(read_file(db("garbage.db")), garbage);
}

TEST_F(StoreTest, TruncatedDatabaseIsReported) {
  open_sqlite_store(db(), OpenMode::kReadWrite)->save_point(record("a", 1), host_, false);
  // Checkpoint the WAL into the main file, then cut the file in half.
  {
    sqlite3* raw = nullptr;
    sqlite3_open(db().c_str(), &raw);
    sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE", nullptr,
                 nullptr, nullptr);
    sqlite3_close(raw);
  }
  const auto size = fs::file_size(db());
  fs::resize_file(db(), size / 2);
  try {
    auto store = open_sqlite_store(db(), OpenMode::kReadOnly);
    store->rows({});
    ADD_FAILURE() << "a truncated database was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(db()), std::string::npos) << e.what();
  }
}

// A point whose model row is gone (a store edited by hand, a broken copy) is named, not skipped.
TEST_F(StoreTest, APointWithoutItsModelIsReportedAsDamage) {
  open_sqlite_store(db(), OpenMode::kReadWrite)->save_point(record("a", 1), host_, false);
  {
    sqlite3* raw = nullptr;
    sqlite3_open(db().c_str(), &raw);
    sqlite3_exec(raw, "DELETE FROM model_paths; DELETE FROM models", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
  }
  expect_error_containing([&] { open_sqlite_store(db(), OpenMode::kReadOnly)->rows({}); },
                          "the store '" + db() + "' holds a point whose model, configuration or host is missing");
}

TEST_F(StoreTest, ForeignSqliteDatabaseIsNotModified) {
  {
    sqlite3* raw = nullptr;
    sqlite3_open(db("foreign.db").c_str(), &raw);
    sqlite3_exec(raw, "CREATE TABLE photos (id INTEGER)", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
  }
  expect_error_containing([&] { open_sqlite_store(db("foreign.db"), OpenMode::kReadWrite); },
                          "not an edgejoule store");
  EXPECT_EQ(count(db("foreign.db"), "SELECT count(*) FROM sqlite_master"), 1);
}

TEST_F(StoreTest, NewerSchemaIsRefused) {
  open_sqlite_store(db(), OpenMode::kReadWrite);
  {
    sqlite3* raw = nullptr;
    sqlite3_open(db().c_str(), &raw);
    sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
  }
  expect_error_containing([&] { open_sqlite_store(db(), OpenMode::kReadWrite); },
                          "newer edgejoule (schema 99");
}

}  // namespace
}  // namespace edgejoule
