// The store contract: what every backend open_store can open must do, whatever it keeps its
// points in. Parameterised over the backends; the PostgreSQL fleet store joins the list with a
// server URI and passes these tests unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <atomic>
#include <functional>
#include <thread>

#include <sqlite3.h>

#include <map>
#include <optional>
#include <set>

#include "common/error.h"
#include "common/strings.h"
#include "store/store.h"
#include "support/pg_server.h"
#include "support/point_records.h"
#include "support/sqlite_query.h"

namespace edgejoule {
namespace {

namespace fs = std::filesystem;

struct Backend {
  std::string name;
  // A URI for a fresh, empty store named `tag` (the test's name), or "" when the backend cannot
  // run here (the test then skips, saying why).
  std::function<std::string(const std::string& tag)> fresh_uri;
  std::string unavailable_reason;
};

// The test server's database for the test named `tag`.
std::string pg_database(const std::string& tag) {
  std::string db = "contract_" + tag;
  for (auto& c : db) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return db.substr(0, 60);
}

std::vector<Backend> backends() {
  return {
      {"sqlite_path",
       [](const std::string& tag) {
         const fs::path p = fs::path(::testing::TempDir()) / ("contract_" + tag + ".db");
         fs::remove(p);
         return p.string();
       },
       ""},
      {"sqlite_uri",
       [](const std::string& tag) {
         const fs::path p = fs::path(::testing::TempDir()) / ("contract_uri_" + tag + ".db");
         fs::remove(p);
         return "sqlite:" + p.string();
       },
       ""},
      // A fresh database per test on the throw-away server (scripts/pg-test-server.sh).
      {"postgresql",
       [](const std::string& tag) {
         const std::string uri = testing::fresh_pg_database(pg_database(tag));
         if (uri.empty()) ADD_FAILURE() << "the test PostgreSQL server did not start (scripts/pg-test-server.sh)";
         return uri;
       },
       testing::pg_unavailable_reason()},
  };
}

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!GetParam().unavailable_reason.empty()) GTEST_SKIP() << GetParam().unavailable_reason;
    std::string tag = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (auto& c : tag) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    uri_ = GetParam().fresh_uri(tag);
    tag_ = tag;
    host_ = testing::store_test_host("host-a");
  }
  std::unique_ptr<Store> open(OpenMode mode = OpenMode::kReadWrite) { return open_store(uri_, mode); }
  // One integer from the store's own tables, read as its backend's command-line client would.
  int64_t sql_count(const std::string& sql) const {
    if (GetParam().name == "postgresql") return std::stoll(testing::pg_sql(pg_database(tag_), sql));
    return testing::query_int(uri_.rfind("sqlite:", 0) == 0 ? uri_.substr(7) : uri_, sql);
  }

  std::string uri_;
  std::string tag_;  // the test's name, as the backend named its store
  HostInfo host_;
};

TEST_P(StoreContract, AFreshStoreIsEmptyAndSavesAPointWithItsFigures) {
  auto store = open();
  EXPECT_TRUE(store->rows({}).empty());
  const PointRecord r = testing::point_record("sha-a", 4);
  EXPECT_FALSE(store->has_point("sha-a", r.config.key(), host_.fingerprint()));
  EXPECT_TRUE(store->save_point(r, host_, false));
  const auto stored = store->stored_point("sha-a", r.config.key(), host_.fingerprint());
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, Verdict::kValid);
  EXPECT_EQ(stored->engine_version, "libtorch 1.13.0");
  const auto rows = store->rows({});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].model, "m-sha-a");
  EXPECT_EQ(rows[0].batch, 4);
  EXPECT_EQ(rows[0].threads, 2);
  EXPECT_EQ(rows[0].host_fingerprint, host_.fingerprint());
  EXPECT_EQ(rows[0].repetitions, 3);
  EXPECT_EQ(rows[0].iterations, 300);
  ASSERT_TRUE(rows[0].latency_ms_p50);
  EXPECT_DOUBLE_EQ(*rows[0].latency_ms_p50, 11.0);
  EXPECT_EQ(rows[0].model_path, "/zoo/sha-a.pt");
  EXPECT_EQ(configuration_of(rows[0]).key(), r.config.key());
}

// A server point: its scenario fields in the configuration (and its key), how its queries were
// issued beside its figures, on every backend.
TEST_P(StoreContract, AServerPointKeepsItsScenarioAndHowItsQueriesWereIssued) {
  auto store = open();
  PointRecord r = testing::point_record("sha-s", 1);
  r.config.knobs = {{"scenario", "server"}, {"concurrency", "2"}, {"rate", "12.5"}, {"latency_bound_ms", "40"}};
  r.protocol.arrival_seed = 77;
  r.result.requests_in_flight = 2;
  r.result.busy_fraction = 0.31;
  r.result.service_ms_mean = 9.5;
  r.result.dropped_queries = 0;
  ASSERT_TRUE(store->save_point(r, host_, false));
  const auto rows = store->rows({});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(configuration_of(rows[0]).key(), r.config.key());
  EXPECT_NE(r.config.key().find(";scenario=server;concurrency=2;rate=12.5;latency_bound_ms=40"), std::string::npos);
  EXPECT_EQ(rows[0].requests_in_flight, 2);
  EXPECT_DOUBLE_EQ(*rows[0].busy_fraction, 0.31);
  EXPECT_DOUBLE_EQ(*rows[0].service_ms_mean, 9.5);
  EXPECT_EQ(rows[0].arrival_seed, 77);
  EXPECT_EQ(rows[0].dropped_queries, 0);
  // A single-stream point has no seed: it drew no arrivals.
  ASSERT_TRUE(store->save_point(testing::point_record("sha-t", 1), host_, false));
  for (const auto& row : store->rows({})) {
    if (row.model == "m-sha-t") {
      EXPECT_EQ(row.arrival_seed, std::nullopt);
      EXPECT_EQ(row.requests_in_flight, 1);
    }
  }
}

TEST_P(StoreContract, UnsupportedPointsKeepTheirReason) {
  auto store = open();
  store->save_point(testing::point_record("sha-u", 1, Verdict::kUnsupported), host_, false);
  const auto rows = store->rows({});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, Verdict::kUnsupported);
  EXPECT_EQ(rows[0].reason, "not here");
  EXPECT_FALSE(rows[0].latency_ms_p50);
}

TEST_P(StoreContract, ASecondCopyIsDroppedUnlessReplacedOrFromAnotherEngineVersion) {
  auto store = open();
  PointRecord first = testing::point_record("sha-b", 1);
  ASSERT_TRUE(store->save_point(first, host_, false));
  PointRecord again = first;
  again.result.reason = "second copy";
  again.result.verdict = Verdict::kInvalid;
  EXPECT_FALSE(store->save_point(again, host_, false));  // same engine version: kept the first
  EXPECT_EQ(store->rows({})[0].status, Verdict::kValid);
  EXPECT_TRUE(store->save_point(again, host_, true));  // --force
  EXPECT_EQ(store->rows({})[0].status, Verdict::kInvalid);
  PointRecord upgraded = first;
  upgraded.runtime.engine_version = "libtorch 2.11.0";
  EXPECT_TRUE(store->save_point(upgraded, host_, false));  // the version keys the point
  const auto rows = store->rows({});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].engine_version, "libtorch 2.11.0");
  EXPECT_EQ(rows[0].status, Verdict::kValid);
}

// A frontier sweep's predictions: kept apart from the measured points, replaced by the point
// when it is measured, never stored for a point already measured.
TEST_P(StoreContract, PredictionsStayApartFromMeasuredPointsAndGiveWayToThem) {
  auto store = open();
  const PointRecord measured = testing::point_record("sha-m", 1);
  ASSERT_TRUE(store->save_point(measured, host_, false));
  auto prediction = [&](const PointRecord& r, double energy_j) {
    return PredictionRecord{r.model, r.config, "graph-sum", energy_j, 12.5, 0.3, "dominated"};
  };
  const PointRecord unmeasured = testing::point_record("sha-p", 4);
  store->save_predictions({prediction(unmeasured, 0.5), prediction(measured, 0.7)}, host_);
  ASSERT_EQ(store->rows({}).size(), 1u);  // no reader of points sees a prediction
  auto predicted = store->predictions({});
  ASSERT_EQ(predicted.size(), 1u);  // the measured point got none
  EXPECT_EQ(predicted[0].row.status, Verdict::kPredicted);
  EXPECT_EQ(predicted[0].row.model, "m-sha-p");
  EXPECT_EQ(predicted[0].row.batch, 4);
  EXPECT_EQ(configuration_of(predicted[0].row).key(), unmeasured.config.key());
  EXPECT_EQ(predicted[0].row.energy_provenance, "predicted:graph-sum");
  ASSERT_TRUE(predicted[0].row.energy_j_per_inference);
  EXPECT_DOUBLE_EQ(*predicted[0].row.energy_j_per_inference, 0.5);
  ASSERT_TRUE(predicted[0].row.latency_ms_p50);
  EXPECT_DOUBLE_EQ(*predicted[0].row.latency_ms_p50, 12.5);
  EXPECT_DOUBLE_EQ(predicted[0].margin, 0.3);
  EXPECT_EQ(predicted[0].row.reason, "dominated");
  ASSERT_TRUE(predicted[0].row.top1);
  EXPECT_DOUBLE_EQ(*predicted[0].row.top1, 70.5);
  EXPECT_FALSE(predicted[0].predicted_at_utc.empty());
  // A later sweep's prediction replaces the earlier one; other hosts and models filter out.
  store->save_predictions({prediction(unmeasured, 0.4)}, host_);
  predicted = store->predictions({});
  ASSERT_EQ(predicted.size(), 1u);
  EXPECT_DOUBLE_EQ(*predicted[0].row.energy_j_per_inference, 0.4);
  RowFilter other_host;
  other_host.host_fingerprint = testing::store_test_host("host-b").fingerprint();
  EXPECT_TRUE(store->predictions(other_host).empty());
  RowFilter valid_only;
  valid_only.status = Verdict::kValid;
  EXPECT_TRUE(store->predictions(valid_only).empty());
  // Measuring the point drops its prediction.
  ASSERT_TRUE(store->save_point(unmeasured, host_, false));
  EXPECT_TRUE(store->predictions({}).empty());
  EXPECT_EQ(store->rows({}).size(), 2u);
  // And they survive reopening, read-only.
  const PointRecord later = testing::point_record("sha-q", 2);
  store->save_predictions({prediction(later, 0.9)}, host_);
  store.reset();
  EXPECT_EQ(open(OpenMode::kReadOnly)->predictions({}).size(), 1u);
}

TEST_P(StoreContract, FiltersByModelStatusAndHost) {
  auto store = open();
  const HostInfo other = testing::store_test_host("host-b");
  store->save_point(testing::point_record("sha-a", 1), host_, false);
  store->save_point(testing::point_record("sha-a", 2, Verdict::kUnsupported), host_, false);
  store->save_point(testing::point_record("sha-c", 1), other, false);
  EXPECT_EQ(store->rows({}).size(), 3u);
  RowFilter by_model;
  by_model.model = "m-sha-a";
  EXPECT_EQ(store->rows(by_model).size(), 2u);
  RowFilter by_status;
  by_status.status = Verdict::kUnsupported;
  EXPECT_EQ(store->rows(by_status).size(), 1u);
  RowFilter by_host;
  by_host.host_fingerprint = other.fingerprint();
  const auto rows = store->rows(by_host);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].hostname, "host-b");
}

// A listing is in one order in every backend: by host (as first stored), then model name in
// byte order (upper case before lower, '-' before '_'), then the configuration, its fields
// included; however the points were saved.
TEST_P(StoreContract, ListsByHostModelAndConfigurationInByteOrder) {
  auto store = open();
  const HostInfo other = testing::store_test_host("host-b");
  auto point = [](const std::string& sha, const std::string& name, int batch, const KnobValues& knobs) {
    PointRecord r = testing::point_record(sha, batch);
    r.model.name = name;
    r.config.knobs = knobs;
    return r;
  };
  store->save_point(point("s1", "b_net", 1, {}), host_, false);
  store->save_point(point("s2", "B-net", 2, {}), other, false);
  store->save_point(point("s1", "b_net", 1, {{"scenario", "server"}, {"rate", "5"}}), host_, false);
  store->save_point(point("s3", "b-net", 4, {}), host_, false);
  store->save_point(point("s3", "b-net", 2, {}), host_, false);
  store->save_point(point("s4", "B-net", 1, {}), host_, false);
  std::vector<std::string> listed;
  for (const auto& r : store->rows({})) {
    listed.push_back(r.hostname + " " + r.model + " b" + std::to_string(r.batch) + " " + knob_labels(r.knobs));
  }
  // host-a was stored first; a field's default sorts as its value ("server" < "single-stream").
  const std::vector<std::string> expected = {
      "host-a B-net b1 ", "host-a b-net b2 ", "host-a b-net b4 ",
      "host-a b_net b1 " + knob_labels({{"scenario", "server"}, {"rate", "5"}}), "host-a b_net b1 ",
      "host-b B-net b2 "};
  EXPECT_EQ(listed, expected);
}

// each_row hands over the rows rows() returns, after saying how many may come: in the same
// order when sorted, the same rows when not.
TEST_P(StoreContract, EachRowHandsOverWhatRowsReturns) {
  auto store = open();
  const HostInfo other = testing::store_test_host("host-b");
  store->save_point(testing::point_record("sha-x", 2), other, false);
  store->save_point(testing::point_record("sha-x", 1), host_, false);
  store->save_point(testing::point_record("sha-y", 1, Verdict::kUnsupported), host_, false);
  struct Collect final : RowSink {
    std::vector<std::string> rows;
    std::optional<size_t> expected;
    bool expected_first = true;
    void expect(size_t n) override {
      expected_first = rows.empty();
      expected = n;
    }
    void take(ResultRow&& r) override {
      rows.push_back(r.hostname + " " + r.model + " b" + std::to_string(r.batch) + " " + to_string(r.status));
    }
  };
  auto listed = [](const std::vector<ResultRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) {
      out.push_back(r.hostname + " " + r.model + " b" + std::to_string(r.batch) + " " + to_string(r.status));
    }
    return out;
  };
  for (const bool sorted : {true, false}) {
    SCOPED_TRACE(sorted ? "sorted" : "unsorted");
    RowFilter filter;
    filter.sorted = sorted;
    Collect sink;
    store->each_row(filter, sink);
    auto expected = listed(store->rows(filter));
    ASSERT_EQ(expected.size(), 3u);
    ASSERT_TRUE(sink.expected.has_value());
    EXPECT_TRUE(sink.expected_first);
    EXPECT_GE(*sink.expected, 3u);
    if (!sorted) {
      std::sort(expected.begin(), expected.end());
      std::sort(sink.rows.begin(), sink.rows.end());
    }
    EXPECT_EQ(sink.rows, expected);
  }
}

// The same model file lives at a different path on each device; each host keeps its own.
TEST_P(StoreContract, ModelPathsArePerHost) {
  auto store = open();
  const HostInfo other = testing::store_test_host("host-b");
  PointRecord here = testing::point_record("sha-p", 1);
  here.model.path = "/home/a/zoo/m.pt";
  PointRecord there = here;
  there.model.path = "/data/b/zoo/m.pt";
  store->save_point(here, host_, false);
  store->save_point(there, other, false);
  for (const auto& row : store->rows({})) {
    EXPECT_EQ(row.model_path, row.hostname == "host-a" ? "/home/a/zoo/m.pt" : "/data/b/zoo/m.pt") << row.hostname;
  }
}

TEST_P(StoreContract, PointsSurviveReopeningReadOnly) {
  open()->save_point(testing::point_record("sha-r", 1), host_, false);
  auto reader = open(OpenMode::kReadOnly);
  EXPECT_EQ(reader->rows({}).size(), 1u);
  EXPECT_NE(reader->location().find("contract"), std::string::npos) << reader->location();
}

TEST_P(StoreContract, SavesAnEvaluationWithItsRows) {
  auto store = open();
  store->save_point(testing::point_record("sha-e", 1), host_, false);
  StoredEvaluation ev;
  ev.host_fingerprint = host_.fingerprint();
  ev.settings_json = "{}";
  ev.rows.push_back({});
  ev.rows.back().energy_budget_j = 0.5;
  ev.rows.back().point_id = store->rows({})[0].point_id;
  ev.rows.back().effective_json = R"({"engine":"openvino","requests":4})";
  const int64_t first = store->save_evaluation(ev);
  EXPECT_GT(store->save_evaluation(ev), first);
  // What the engine applied when the pick was measured again is kept with each row.
  EXPECT_EQ(sql_count(R"(SELECT count(*) FROM evaluations WHERE effective_json = '{"engine":"openvino","requests":4}')"),
            2);
}

TEST_P(StoreContract, ARunUnderABudgetReadsBackAsItWasSavedAndIsNoPoint) {
  auto store = open();
  EXPECT_TRUE(store->runs().empty());
  StoredRun run;
  run.started_at_utc = "2026-12-06T04:00:00Z";
  run.ended_at_utc = "2026-12-06T04:00:09Z";
  run.hostname = "h'ost";
  run.host_fingerprint = host_.fingerprint();
  run.status = "stopped";
  run.stop_reason = "after 10 of 20 inferences ...";
  run.budget_j = 2.5;
  run.energy_j = 2.4375;
  run.energy_provenance = "measured:log:/tmp/p.csv";
  run.inferences_planned = 20;
  run.inferences_done = 10;
  run.top1 = 87.5;
  run.accuracy_source = "measured:fmnist:test:10";
  run.switches = 7;
  run.degraded = true;
  run.record_json = R"({"options":[{"label":"a"}]})";
  const int64_t id = store->save_run(run);
  StoredRun unlabelled = run;
  unlabelled.energy_j.reset();
  unlabelled.top1.reset();
  unlabelled.accuracy_source = "";
  EXPECT_GT(store->save_run(unlabelled), id);
  const auto runs = open(OpenMode::kReadOnly)->runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, id);
  EXPECT_EQ(runs[0].hostname, "h'ost");
  EXPECT_EQ(runs[0].status, "stopped");
  EXPECT_EQ(runs[0].stop_reason, run.stop_reason);
  EXPECT_DOUBLE_EQ(runs[0].budget_j, 2.5);
  EXPECT_EQ(runs[0].energy_j, 2.4375);
  EXPECT_EQ(runs[0].energy_provenance, run.energy_provenance);
  EXPECT_EQ(runs[0].inferences_planned, 20);
  EXPECT_EQ(runs[0].inferences_done, 10);
  EXPECT_EQ(runs[0].top1, 87.5);
  EXPECT_EQ(runs[0].accuracy_source, run.accuracy_source);
  EXPECT_EQ(runs[0].switches, 7);
  EXPECT_TRUE(runs[0].degraded);
  EXPECT_EQ(runs[0].record_json, run.record_json);
  EXPECT_FALSE(runs[1].energy_j);
  EXPECT_FALSE(runs[1].top1);
  EXPECT_TRUE(store->rows({}).empty());
}

// Names are data, never SQL: quotes, semicolons and non-ASCII survive in model names, paths and
// hosts (every value is a bound parameter).
TEST_P(StoreContract, NamesWithQuotesSemicolonsAndNonAsciiSurvive) {
  auto store = open();
  const std::string model = "o'brien\"; DROP TABLE points; -- résnet-ß 模型";
  const std::string hostname = "lab'pi;5 — Zürich";
  PointRecord r = testing::point_record("sha-q", 1);
  r.model.name = model;
  r.model.path = "/zoo/it's here; ok/模型.pt";
  const HostInfo odd = testing::store_test_host(hostname);
  ASSERT_TRUE(store->save_point(r, odd, false));
  RowFilter by_model;
  by_model.model = model;
  const auto rows = store->rows(by_model);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].model, model);
  EXPECT_EQ(rows[0].hostname, hostname);
  EXPECT_EQ(rows[0].model_path, "/zoo/it's here; ok/模型.pt");
  EXPECT_TRUE(store->has_point("sha-q", r.config.key(), odd.fingerprint()));
}

// A reader never sees a point without its windows' figures, its energy or its accuracy: each
// point is one transaction, whatever the backend.
TEST_P(StoreContract, ConcurrentReadersSeeNoHalfWrittenPoint) {
  open();  // created before the two connections race
  std::atomic<bool> done{false};
  std::atomic<int> half{0}, seen{0};
  std::thread reader([&] {
    auto store = open(OpenMode::kReadOnly);
    for (bool last = false; !last;) {
      last = done.load();  // one more read after the writer finished: every point is seen
      for (const auto& row : store->rows({})) {
        ++seen;
        if (!row.energy_j_per_inference || !row.top1 || row.accuracy_source != "measured:test" ||
            !row.latency_ms_p50) {
          ++half;
        }
      }
    }
  });
  {
    auto writer = open();
    for (int i = 0; i < 40; ++i) {
      PointRecord r = testing::point_record("sha-c" + std::to_string(i), 1);
      r.result.energy.emplace();
      r.result.energy->meter = "estimate";
      r.result.energy->energy_j_per_inference = summarize({0.1, 0.11, 0.12});
      r.accuracy = MeasuredAccuracy{90, 99, 300, "measured:test"};
      writer->save_point(r, host_, false);
    }
  }
  done = true;
  reader.join();
  EXPECT_EQ(half.load(), 0) << "of " << seen.load() << " rows read";
  EXPECT_GE(seen.load(), 40);
  EXPECT_EQ(open(OpenMode::kReadOnly)->rows({}).size(), 40u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::ValuesIn(backends()),
                         [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });

// open_store's URI handling, whatever backend is built in.
TEST(OpenStore, ASchemeThisBuildLacksIsOneSentenceWithoutThePassword) {
  try {
    open_store("postgresql://lab:s3cret@db.example:5432/fleet", OpenMode::kReadOnly);
    ADD_FAILURE() << "opened a postgresql store";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
    EXPECT_NE(message.find("postgresql://lab:***@db.example"), std::string::npos) << message;
    EXPECT_EQ(e.exit_code(), 2);
  }
}

TEST(OpenStore, AnEmptySqlitePathIsRefused) {
  EXPECT_THROW(open_store("sqlite:", OpenMode::kReadWrite), Error);
}

// The two schemas are written twice (store/schema.h, store/postgres_schema.h, each with its
// migrations): a fresh store of each has the same tables with the same columns, of matching
// types (SQLite INTEGER, REAL, TEXT; PostgreSQL bigint, double precision, text), so the shared SQL
// (store/sql_store.h) reads and writes the same figures on both. The PostgreSQL store's queue of
// shared sweeps is its own.
TEST(StoreSchemas, SqliteAndPostgresqlAgreeColumnByColumn) {
  const std::string pg_unavailable = testing::pg_unavailable_reason();
  ASSERT_TRUE(pg_unavailable.empty()) << pg_unavailable;
  const fs::path sqlite_path = fs::path(::testing::TempDir()) / "schema_compare.db";
  fs::remove(sqlite_path);
  open_store(sqlite_path.string(), OpenMode::kReadWrite);
  const std::string pg_uri = testing::fresh_pg_database("schema_compare");
  ASSERT_FALSE(pg_uri.empty());
  open_store(pg_uri, OpenMode::kReadWrite);

  using Columns = std::map<std::string, std::string>;  // "table.column" -> type
  auto parse = [](const std::string& text) {
    Columns out;
    for (const auto& item : split(text, ',')) {
      const auto colon = item.find(':');
      if (colon != std::string::npos) out[item.substr(0, colon)] = item.substr(colon + 1);
    }
    return out;
  };
  std::string sqlite_text;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(sqlite_path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT group_concat(t || '.' || c || ':' || ty, ',') FROM (SELECT m.name AS t, "
                                 "p.name AS c, upper(p.type) AS ty FROM sqlite_master m, pragma_table_info(m.name) p "
                                 "WHERE m.type = 'table' ORDER BY 1, 2)",
                                 -1, &stmt, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    sqlite_text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
  const Columns sqlite = parse(sqlite_text);
  const Columns pg = parse(testing::pg_sql(
      "schema_compare",
      "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name) "
      "FROM information_schema.columns WHERE table_schema = current_schema()"));
  ASSERT_GT(sqlite.size(), 50u);
  ASSERT_GT(pg.size(), 50u);
  const std::map<std::string, std::string> pg_type = {{"INTEGER", "bigint"}, {"REAL", "double precision"}, {"TEXT", "text"}};
  std::set<std::string> tables;
  for (const auto& [column, type] : sqlite) tables.insert(column.substr(0, column.find('.')));
  for (const auto& [column, type] : sqlite) {
    SCOPED_TRACE(column);
    const auto it = pg.find(column);
    ASSERT_NE(it, pg.end()) << "in SQLite, not in PostgreSQL";
    ASSERT_TRUE(pg_type.count(type)) << "SQLite type " << type;
    EXPECT_EQ(it->second, pg_type.at(type));
  }
  for (const auto& [column, type] : pg) {
    const std::string table = column.substr(0, column.find('.'));
    if (table == "queue_items") continue;  // the fleet store's queue: PostgreSQL only
    EXPECT_TRUE(sqlite.count(column)) << column << " in PostgreSQL, not in SQLite";
    EXPECT_TRUE(tables.count(table)) << table;
  }
}

}  // namespace
}  // namespace edgejoule
