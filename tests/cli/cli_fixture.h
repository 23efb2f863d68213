#pragma once
// The fixture of the CLI tests: a fresh directory and store per test, the binary run as a user
// would, and the checks every error path shares.

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/sqlite_query.h"
#include "support/subprocess.h"

namespace edgejoule::testing {

namespace fs = std::filesystem;

const std::string kBinary = EDGEJOULE_BINARY;
const std::string kZoo = EDGEJOULE_TINY_ZOO;
const std::string kFmnistZoo = EDGEJOULE_FMNIST_ZOO;

// Short windows: these tests check behaviour, not speed.
const std::vector<std::string> kQuick = {"--warmup-s", "0.02", "--min-time-s", "0.05",
                                         "--repetitions", "2", "--max-cv", "1.0"};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "edgejoule.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  ProcessResult edgejoule(std::vector<std::string> args) { return run(kBinary, args); }

  ProcessResult profile(std::vector<std::string> args) {
    std::vector<std::string> all = {"profile", "--db", db_, "--quiet"};
    all.insert(all.end(), kQuick.begin(), kQuick.end());
    all.insert(all.end(), args.begin(), args.end());
    return edgejoule(all);
  }

  int64_t query(const std::string& sql) const { return query_int(db_, sql); }

  std::string integrity() const {
    // Read-write, as the next run opens it: after a SIGKILL the WAL index may need recovery,
    // which a read-only connection cannot run (SQLITE_READONLY_RECOVERY), and that is not damage.
    sqlite3* db = nullptr;
    sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    std::string value;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    } else {
      value = std::string("cannot check: ") + sqlite3_errmsg(db);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
  }

  int64_t points() const { return query("SELECT count(*) FROM points"); }
  int64_t distinct_points() const {
    return query("SELECT count(*) FROM (SELECT DISTINCT model_id, config_id, host_id FROM points)");
  }

  // Exit code 2 and a single line on stderr that contains `text`.
  static void expect_bad_input(const ProcessResult& r, const std::string& text) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("Exception raised from"), std::string::npos) << "backtrace leaked: " << r.err;
  }

  fs::path dir_;
  std::string db_;
};

}  // namespace edgejoule::testing
