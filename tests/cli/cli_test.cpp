// The binary as a user meets it: exit codes, one-sentence errors, and what is in the store
// afterwards, including after a kill or an interrupt in the middle of a sweep.

#include <signal.h>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <filesystem>
#include <optional>
#include <fstream>
#include <thread>
#include <atomic>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "meters/meter.h"

#include "common/strings.h"
#include "support/power_log_writer.h"
#include "support/sqlite_query.h"
#include "support/subprocess.h"
#include "cli/cli_fixture.h"

namespace edgejoule {
namespace {

using testing::CliTest;
using testing::kBinary;
using testing::kFmnistZoo;
using testing::kQuick;
using testing::kZoo;
using testing::ProcessResult;
namespace fs = std::filesystem;

TEST_F(CliTest, HelpAndVersionSucceed) {
  EXPECT_EQ(edgejoule({"--help"}).exit_code, 0);
  EXPECT_EQ(edgejoule({"profile", "--help"}).exit_code, 0);
  const auto v = edgejoule({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("edgejoule"), std::string::npos);
}

TEST_F(CliTest, ProfileStoresEveryCombinationAndASecondRunSkipsThemAll) {
  const auto first = profile({kZoo + "/tiny_cnn.pt", "--batch", "1,4", "--threads", "1,2"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(points(), 4);
  EXPECT_EQ(query("SELECT count(*) FROM windows"), 8);  // 2 repetitions each
  EXPECT_NE(first.err.find("4 measured"), std::string::npos) << first.err;
  // The table on stdout shows the four points.
  EXPECT_NE(first.out.find("tiny_cnn"), std::string::npos) << first.out;

  const auto second = profile({kZoo + "/tiny_cnn.pt", "--batch", "1,4", "--threads", "1,2"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("0 measured, 0 unsupported, 4 skipped"), std::string::npos) << second.err;
  EXPECT_EQ(points(), 4);

  const auto forced = profile({kZoo + "/tiny_cnn.pt", "--batch", "1", "--threads", "1", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(points(), 4);
  EXPECT_EQ(distinct_points(), 4);
}

// A store written before schema v5 keyed its host by the engines built in, so building one more
// engine in made every point look foreign. Here the store's host is turned back into what an
// older build with another engine set wrote (its own fingerprint, schema 4, no per-host paths):
// the migration re-keys it and the sweep resumes without measuring anything again.
TEST_F(CliTest, AStoreWrittenWithAnotherEngineSetResumes) {
  const auto first = profile({kZoo + "/tiny_cnn.pt", "--batch", "1,2", "--threads", "1"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(points(), 2);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE hosts SET fingerprint = 'v4-fingerprint-with-engines', "
                             "engine_versions = 'torchscript=libtorch 1.13.1'; DROP TABLE model_paths; DROP TABLE predictions; "
                             "ALTER TABLE points DROP COLUMN requests_in_flight; ALTER TABLE points DROP COLUMN busy_fraction; "
                             "ALTER TABLE points DROP COLUMN service_ms_mean; ALTER TABLE points DROP COLUMN arrival_seed; "
                             "ALTER TABLE points DROP COLUMN dropped_queries; DROP TABLE runs; "
                             "ALTER TABLE evaluations DROP COLUMN effective_json; PRAGMA user_version = 4;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  const auto again = profile({kZoo + "/tiny_cnn.pt", "--batch", "1,2", "--threads", "1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 measured, 0 unsupported, 2 skipped"), std::string::npos) << again.err;
  EXPECT_EQ(points(), 2);
  EXPECT_EQ(query("SELECT count(*) FROM hosts WHERE fingerprint = 'v4-fingerprint-with-engines'"), 0);
  EXPECT_EQ(query("SELECT count(*) FROM model_paths"), 1);
}

TEST_F(CliTest, RetryInvalidMeasuresOnlyInvalidPointsAgain) {
  // --max-cv tiny: every point with two windows is INVALID.
  ASSERT_EQ(profile({kZoo + "/tiny_cnn.pt", "--batch", "1,2", "--threads", "1", "--max-cv", "1e-9"})
                .exit_code, 0);
  EXPECT_EQ(query("SELECT count(*) FROM points WHERE status = 'INVALID'"), 2);
  const auto skipped = profile({kZoo + "/tiny_cnn.pt", "--batch", "1,2", "--threads", "1"});
  EXPECT_NE(skipped.err.find("2 skipped"), std::string::npos) << skipped.err;
  const auto retried = profile({kZoo + "/tiny_cnn.pt", "--batch", "1,2", "--threads", "1", "--retry-invalid"});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_NE(retried.err.find("2 measured"), std::string::npos) << retried.err;
  EXPECT_EQ(points(), 2);
  EXPECT_EQ(query("SELECT count(*) FROM points WHERE status = 'VALID'"), 2);  // --max-cv 1.0 now
}

TEST_F(CliTest, JsonOutputCarriesEffectiveSettingsAndProvenance) {
  const auto r = profile({"--zoo", kZoo, "--models", "tiny_mlp", "--threads", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc[0]["model"]["name"], "tiny_mlp");
  EXPECT_EQ(doc[0]["config"]["threads"], 2);
  EXPECT_EQ(doc[0]["effective"]["threads"], 2);
  EXPECT_EQ(doc[0]["config"]["sample_shape"], "1x28x28");
  EXPECT_TRUE(doc[0]["latency_ms"]["p99"].is_number());
  EXPECT_FALSE(doc[0]["host"]["blas"].get<std::string>().empty());

  const auto listed = edgejoule({"list", "--db", db_, "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(nlohmann::json::parse(listed.out).size(), 1u);
  EXPECT_EQ(query("SELECT json_extract(settings_json, '$.protocol.min_time_s') * 100 FROM points"), 5);
}

TEST_F(CliTest, ModelsFilterTakesExactlyTheNamedModels) {
  const auto r = profile({"--zoo", kZoo, "--models", "tiny_cnn", "--threads", "1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc[0]["model"]["name"], "tiny_cnn");
  expect_bad_input(profile({"--zoo", kZoo, "--models", "tiny_cnn,nope"}), "model 'nope' is not in the zoo");
}

TEST_F(CliTest, UnsupportedCombinationsAreStoredNotCrashedOn) {
  const auto r = profile({kZoo + "/tiny_cnn.pt", "--precision", "fp32,fp16", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query("SELECT count(*) FROM points WHERE status = 'UNSUPPORTED'"), 1);
  EXPECT_NE(r.out.find("UNSUPPORTED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fp16 on cpu is not supported"), std::string::npos) << r.out;
}

// Kill -9 at several moments of a sweep: the store stays intact, and the next run completes
// the sweep with no point lost and none duplicated.
TEST_F(CliTest, KilledSweepResumesWithoutDuplicates) {
  const std::vector<std::string> sweep = {kZoo + "/tiny_cnn.pt", "--batch", "1-6", "--threads", "1,2"};
  std::vector<std::string> args = {"profile", "--db", db_, "--quiet"};
  args.insert(args.end(), kQuick.begin(), kQuick.end());
  args.insert(args.end(), sweep.begin(), sweep.end());
  // Random moments (start-up, warm-up, a window, the commit), many times; the seed is printed
  // and EDGEJOULE_TEST_SEED replays a run.
  const char* seed_env = std::getenv("EDGEJOULE_TEST_SEED");
  const unsigned seed = seed_env ? static_cast<unsigned>(std::strtoul(seed_env, nullptr, 10)) : std::random_device{}();
  SCOPED_TRACE("EDGEJOULE_TEST_SEED=" + std::to_string(seed));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(0, 1500);
  for (int kill = 0; kill < 12; ++kill) {
    const pid_t pid = testing::spawn(kBinary, args, (dir_ / "out").string(), (dir_ / "err").string());
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ::kill(pid, SIGKILL);
    testing::wait_exit(pid);
    if (!fs::exists(db_)) continue;  // killed before it created the store: nothing to check
    EXPECT_EQ(integrity(), "ok");
    // Killed while creating the store (each schema step is a transaction): no table yet.
    if (query("SELECT count(*) FROM sqlite_master WHERE name = 'points'") != 1) continue;
    EXPECT_EQ(points(), distinct_points());
    EXPECT_EQ(query("SELECT count(*) FROM points p WHERE NOT EXISTS "
                    "(SELECT 1 FROM windows w WHERE w.point_id = p.id)"), 0)
        << "a point without its windows was stored";
  }
  const auto resumed = profile(sweep);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(points(), 12);
  EXPECT_EQ(distinct_points(), 12);
  EXPECT_EQ(integrity(), "ok");
}

// Two sweeps writing one store at once, overlapping in half their points: both finish, every
// point is stored once, and a reader during the run sees only whole points.
TEST_F(CliTest, ConcurrentWritersBothFinishWithAllTheirPoints) {
  auto args_for = [&](const std::string& batches) {
    std::vector<std::string> a = {"profile", "--db", db_, "--quiet", "--meter", "none"};
    a.insert(a.end(), kQuick.begin(), kQuick.end());
    for (const auto& x : {kZoo + "/tiny_cnn.pt", std::string("--threads"), std::string("1"),
                          std::string("--batch"), batches}) a.push_back(x);
    return a;
  };
  const pid_t a = testing::spawn(kBinary, args_for("1-6"), (dir_ / "a.out").string(), (dir_ / "a.err").string());
  const pid_t b = testing::spawn(kBinary, args_for("4-9"), (dir_ / "b.out").string(), (dir_ / "b.err").string());
  int64_t seen_windowless = 0;
  int report_failures = 0;
  std::string report_error;
  for (int i = 0; i < 50; ++i) {
    // list and export read rows as recommend does; report reads everything for its page.
    const auto listed = edgejoule({i % 2 ? "list" : "export", "--db", db_, i % 2 ? "--json" : "--format=json"});
    if (listed.exit_code == 0) {
      for (const auto& row : nlohmann::json::parse(listed.out)) {
        if (row["iterations"].is_null() || row["iterations"].get<int64_t>() == 0) ++seen_windowless;
      }
    }
    if (i % 10 == 5 && fs::exists(db_)) {
      const auto report = edgejoule({"report", "--db", db_, "--out", (dir_ / "during.html").string()});
      // A store not yet created by the writers may be refused; once it exists a report must work.
      if (report.exit_code != 0 && points() > 0) {
        ++report_failures;
        report_error = report.err;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  EXPECT_EQ(report_failures, 0) << report_error;
  EXPECT_EQ(testing::wait_exit(a), 0) << read_file((dir_ / "a.err").string()).value_or("");
  EXPECT_EQ(testing::wait_exit(b), 0) << read_file((dir_ / "b.err").string()).value_or("");
  EXPECT_EQ(seen_windowless, 0);
  EXPECT_EQ(points(), 9);
  EXPECT_EQ(distinct_points(), 9);
  EXPECT_EQ(integrity(), "ok");
}

TEST_F(CliTest, SigintStopsAfterTheWindowAndKeepsFinishedPoints) {
  std::vector<std::string> args = {"profile", "--db", db_, kZoo + "/tiny_cnn.pt", "--batch", "1-8",
                                   "--threads", "1", "--warmup-s", "0.02", "--min-time-s", "0.2",
                                   "--repetitions", "2", "--max-cv", "1.0"};
  const pid_t pid = testing::spawn(kBinary, args, (dir_ / "out").string(), (dir_ / "err").string());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (points() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGINT);
  EXPECT_EQ(testing::wait_exit(pid), 130);
  const auto err = read_file((dir_ / "err").string()).value_or("");
  EXPECT_NE(err.find("interrupted: every finished point is stored"), std::string::npos) << err;
  const int64_t kept = points();
  EXPECT_GE(kept, 1);
  EXPECT_LT(kept, 8);
  EXPECT_EQ(integrity(), "ok");
}

TEST_F(CliTest, MissingModelFile) {
  expect_bad_input(profile({(dir_ / "nope.pt").string()}), "nope.pt' does not exist");
}

TEST_F(CliTest, FileThatIsNotTorchScript) {
  const auto junk = (dir_ / "junk.pt").string();
  std::ofstream(junk) << "random bytes, not a model";
  expect_bad_input(profile({junk, "--input-shape", "1x3x32x32"}),
                   "junk.pt' is not a loadable TorchScript model");
  EXPECT_EQ(points(), 0);
  // A real model cut short (an interrupted copy) is refused the same way.
  const auto whole = read_file(kZoo + "/tiny_cnn.pt").value();
  const auto cut = (dir_ / "cut.pt").string();
  std::ofstream(cut, std::ios::binary) << whole.substr(0, whole.size() / 2);
  expect_bad_input(profile({cut, "--input-shape", "1x3x32x32"}), "cut.pt' is not a loadable TorchScript model");
#ifdef EDGEJOULE_HAVE_OPENCV_DNN
  // And an ONNX file of random bytes, or cut short, for the opencv engine.
  const auto onnx = read_file(kZoo + "/tiny_cnn.onnx").value();
  const auto cut_onnx = (dir_ / "cut.onnx").string();
  std::ofstream(cut_onnx, std::ios::binary) << onnx.substr(0, onnx.size() / 2);
  expect_bad_input(profile({cut_onnx, "--engine", "opencv", "--input-shape", "1x3x32x32"}),
                   "cut.onnx' is not a readable ONNX model");
#endif
  EXPECT_EQ(points(), 0);
}

TEST_F(CliTest, InputShapeTheModelRejects) {
  expect_bad_input(profile({"--zoo", kZoo, "--models", "tiny_mlp", "--input-shape", "1x3x32x32"}),
                   "rejected input shape 1x3x32x32");
}

TEST_F(CliTest, NoShapeKnownForALooseFile) {
  const auto copy = (dir_ / "loose.pt").string();
  fs::copy_file(kZoo + "/tiny_cnn.pt", copy);
  expect_bad_input(profile({copy}), "pass --input-shape");
  EXPECT_EQ(profile({copy, "--input-shape", "1x3x32x32", "--threads", "1"}).exit_code, 0);
}

TEST_F(CliTest, UnknownFlagValues) {
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--engine", "tensorrt"}), "unknown value 'tensorrt' for --engine: choose from torchscript, opencv");
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--batch", "0"}), "--batch");
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--precision", "fp64"}), "unknown value 'fp64' for --precision");
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--device", "tpu"}), "unknown value 'tpu' for --device");
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--min-time-s", "0"}), "--min-time-s");
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--input-shape", "1x3xfoo"}), "invalid --input-shape");
  expect_bad_input(edgejoule({"profile", "--no-such-flag"}), "no-such-flag");
  expect_bad_input(edgejoule({"frobnicate"}), "frobnicate");
  expect_bad_input(profile({}), "nothing to profile");
  EXPECT_FALSE(fs::exists(db_ + "-wal") && points() > 0);
}

TEST_F(CliTest, UnwritableDatabase) {
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--db", (dir_ / "no" / "such" / "x.db").string()}),
                   "does not exist; create it or pass another --db");
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--db", "/proc/edgejoule.db"}), "/proc/edgejoule.db");
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--db", dir_.string()}), "is a directory");
}

TEST_F(CliTest, CorruptDatabaseIsNamedAndLeftAsItWas) {
  const std::string garbage(8192, '\x07');
  std::ofstream(db_, std::ios::binary) << garbage;
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt"}), "is corrupt or not an SQLite file");
  expect_bad_input(edgejoule({"list", "--db", db_}), "is corrupt or not an SQLite file");
  EXPECT_EQ(read_file(db_), garbage);
}

TEST_F(CliTest, AFailingModelLosesNothingAlreadyStored) {
  ASSERT_EQ(profile({kZoo + "/tiny_cnn.pt", "--threads", "1"}).exit_code, 0);
  ASSERT_EQ(points(), 1);
  const auto junk = (dir_ / "junk.pt").string();
  std::ofstream(junk) << "not a model";
  // A broken model in the middle of a sweep: reported, exit 2, and the good model still measured.
  const auto r = profile({junk, kZoo + "/tiny_cnn.pt", "--input-shape", "1x3x32x32", "--batch", "1,2",
                          "--threads", "1"});
  expect_bad_input(r, "junk.pt' is not a loadable TorchScript model");
  EXPECT_EQ(points(), 2);  // the earlier point plus tiny_cnn at batch 2
}

TEST_F(CliTest, ListWithoutADatabaseSaysToProfileFirst) {
  expect_bad_input(edgejoule({"list", "--db", db_}), "run 'edgejoule profile' first");
  EXPECT_FALSE(fs::exists(db_));
}

// A log of constant P watts is measured back as P within 2 %.
TEST_F(CliTest, ProfileWithAPowerLogReportsItsConstantPower) {
  const std::string log = (dir_ / "power.csv").string();
  std::optional<testing::PowerLogWriter> writer;
  writer.emplace(log, 37.5, 0.05, 20);
  const auto r = profile({kZoo + "/tiny_cnn.pt", "--threads", "1", "--meter", "log:" + log, "--json"});
  writer.reset();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.size(), 1u);
  const auto& energy = doc[0]["energy"];
  EXPECT_EQ(energy["provenance"], "measured:log:" + log);
  EXPECT_NEAR(energy["mean_power_w"].get<double>(), 37.5, 37.5 * 0.02);
  EXPECT_NEAR(energy["idle_power_w"].get<double>(), 37.5, 37.5 * 0.02);
  EXPECT_GT(energy["j_per_inference"].get<double>(), 0);
  EXPECT_NEAR(energy["above_idle_j_per_inference"].get<double>(), 0, energy["j_per_inference"].get<double>() * 0.05);
  EXPECT_EQ(doc[0]["status"], "VALID") << doc[0]["reason"];
  // Windows were stretched to 10 log periods (0.5 s) although --min-time-s was 0.05.
  EXPECT_GE(query("SELECT min(duration_s) * 10 FROM windows"), 4);
}

TEST_F(CliTest, CrossCheckMeterComparesTwoSourcesOverTheSameWindows) {
  // Two external meters on one device, one reading 10 % high.
  const std::string a = (dir_ / "a.csv").string(), b = (dir_ / "b.csv").string();
  std::optional<testing::PowerLogWriter> writer_a, writer_b;
  writer_a.emplace(a, 20.0, 0.05, 20);
  writer_b.emplace(b, 22.0, 0.05, 20);
  const auto r = profile({kZoo + "/tiny_cnn.pt", "--threads", "1", "--meter", "log:" + a,
                          "--cross-check-meter", "log:" + b, "--json"});
  writer_a.reset();
  writer_b.reset();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto cc = nlohmann::json::parse(r.out)[0]["energy"]["cross_check"];
  EXPECT_EQ(cc["meter"], "log:" + b);
  EXPECT_NEAR(cc["difference_pct"].get<double>(), 10.0, 1.0);
  EXPECT_EQ(query("SELECT count(*) FROM windows WHERE cross_check_energy_j > energy_j"), 2);
}

TEST_F(CliTest, DefaultMeterHereIsTheLabelledEstimate) {
  const auto r = edgejoule({"profile", "--db", db_, kZoo + "/tiny_cnn.pt", "--threads", "1", "--warmup-s", "0.02",
                            "--min-time-s", "0.1", "--repetitions", "2", "--max-cv", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("ESTIMATED, not measured"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find(" e  "), std::string::npos) << r.out;
  EXPECT_EQ(query("SELECT count(*) FROM points WHERE energy_provenance = 'estimated:cpu-time' "
                  "AND energy_j_per_inference_mean > 0"), 1);
  // Another meter is another measurement: the same point with --meter none is measured again.
  const auto none = profile({kZoo + "/tiny_cnn.pt", "--threads", "1", "--meter", "none"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.err.find("1 measured"), std::string::npos) << none.err;
  EXPECT_EQ(query("SELECT count(*) FROM points WHERE energy_j_per_inference_mean IS NULL"), 1);
}

TEST_F(CliTest, AnUnavailableMeterIsExplained) {
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--meter", "rapl", "--sysfs-root", dir_.string()}),
                   "no RAPL zones");
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--meter", "log:" + (dir_ / "none.csv").string()}),
                   "cannot open the power log");
  EXPECT_EQ(points(), 0);
}

TEST_F(CliTest, MetersExplainsEverySource) {
  const auto r = edgejoule({"meters", "--json", "--probe-s", "0.3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  bool estimate = false;
  for (const auto& s : doc["sources"]) {
    if (!s["available"].get<bool>()) EXPECT_FALSE(s["why_unavailable"].get<std::string>().empty()) << s;
    if (s["name"] == "estimate") estimate = s["available"].get<bool>();
  }
  EXPECT_TRUE(estimate);

  // A Jetson-like tree: the INA3221 board-total rail is found and auto picks it.
  const auto hw = dir_ / "sys/class/hwmon/hwmon1";
  fs::create_directories(hw);
  std::ofstream(hw / "name") << "ina3221\n";
  std::ofstream(hw / "in1_label") << "VDD_IN\n";
  std::ofstream(hw / "in1_input") << "5000\n";
  std::ofstream(hw / "curr1_input") << "1000\n";
  const auto jetson = edgejoule({"--sysfs-root", dir_.string(), "meters", "--probe-s", "0.3"});
  ASSERT_EQ(jetson.exit_code, 0) << jetson.err;
  EXPECT_NE(jetson.out.find("hwmon:ina3221:VDD_IN     available"), std::string::npos) << jetson.out;
  EXPECT_NE(jetson.out.find("board total"), std::string::npos) << jetson.out;
  EXPECT_NE(jetson.out.find("--meter auto on the CPU uses: hwmon:ina3221:VDD_IN"), std::string::npos) << jetson.out;
}

// On copies of real Jetson layouts, `meters` names the board total or the sum that
// stands for it, and a profile with --meter auto measures the fixture's constant power.
TEST_F(CliTest, OnJetsonFixturesAutoMeasuresTheBoardPower) {
  const std::vector<std::tuple<std::string, std::string, double>> devices = {
      {"jetson-orin-nano", "hwmon:ina3221:VDD_IN", 5.072 * 1.182},
      {"jetson-agx-orin", "hwmon:sum(VDD_GPU_SOC+VDD_CPU_CV+VIN_SYS_5V0)",
       19.296 * 0.165 + 19.296 * 0.041 + 4.992 * 0.809},
      {"jetson-agx-thor", "hwmon:ina238:VIN", 40.95},
      {"jetson-tx2-l4t32", "hwmon:sum(VDD_IN+VDD_MUX)", 5.700 + 1.900}};
  for (const auto& [device, meter, watts] : devices) {
    const std::string root = std::string(EDGEJOULE_TEST_FIXTURES) + "/devices/" + device;
    const auto listed = edgejoule({"--sysfs-root", root, "meters", "--probe-s", "0.2"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find("--meter auto on the CPU uses: " + meter), std::string::npos) << listed.out;
    std::vector<std::string> args = {"--sysfs-root", root, "profile", "--db", db_, "--quiet"};
    args.insert(args.end(), kQuick.begin(), kQuick.end());
    for (const std::string a : {kZoo + "/tiny_mlp.pt", std::string("--threads"), std::string("1"),
                                std::string("--meter"), std::string("auto"), std::string("--json"),
                                std::string("--force")}) {
      args.push_back(a);
    }
    const auto r = edgejoule(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto row = nlohmann::json::parse(r.out).at(0);
    EXPECT_EQ(row["energy"]["provenance"], "measured:" + meter) << row.dump();
    EXPECT_NEAR(row["energy"]["mean_power_w"].get<double>(), watts, watts * 0.02) << device;
  }
}

// The accuracy edgejoule measures in C++ equals the training script's.
TEST_F(CliTest, MeasuredAccuracyAgreesWithTheTrainingScript) {
  const auto manifest = nlohmann::json::parse(read_file(kFmnistZoo + "/zoo.json").value());
  const auto r = profile({"--zoo", kFmnistZoo, "--threads", "1", "--meter", "none", "--dataset",
                          "fmnist:test,limit=300", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), manifest["models"].size());
  for (const auto& row : rows) {
    for (const auto& m : manifest["models"]) {
      if (m["name"] != row["model"]["name"]) continue;
      EXPECT_EQ(m["accuracy"]["source"], "measured:fmnist:test:300");
      EXPECT_EQ(row["accuracy"]["provenance"], "measured:fmnist:test:300");
      EXPECT_NEAR(row["accuracy"]["top1"].get<double>(), m["accuracy"]["top1"].get<double>(), 0.1) << m["name"];
      EXPECT_NEAR(row["accuracy"]["top5"].get<double>(), m["accuracy"]["top5"].get<double>(), 0.1) << m["name"];
      EXPECT_GT(row["accuracy"]["top1"].get<double>(), 50.0);
    }
  }
  EXPECT_EQ(query("SELECT count(*) FROM points WHERE accuracy_samples = 300"), 2);
  // The same sweep again skips; with another sample count it measures (and replaces) again.
  const auto again = profile({"--zoo", kFmnistZoo, "--threads", "1", "--meter", "none", "--dataset",
                              "fmnist:test,limit=300"});
  EXPECT_NE(again.err.find("2 skipped"), std::string::npos) << again.err;
  const auto more = profile({"--zoo", kFmnistZoo, "--threads", "1", "--meter", "none", "--dataset",
                             "fmnist:test,limit=200"});
  EXPECT_NE(more.err.find("2 measured"), std::string::npos) << more.err;
  EXPECT_EQ(points(), 2);
  EXPECT_EQ(query("SELECT count(*) FROM points WHERE accuracy_samples = 200"), 2);
}

TEST_F(CliTest, ADatasetThatDoesNotFitTheModelIsExplained) {
  // tiny_cnn takes 3x32x32 colour images; Fashion-MNIST is 1x28x28.
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--threads", "1", "--dataset", "fmnist:test,limit=50"}),
                   "takes samples of shape 3x32x32 but dataset fmnist:test has 1x28x28");
  EXPECT_EQ(points(), 0);
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--dataset", "cifar:test"}), "unknown dataset 'cifar:test'");
}

TEST_F(CliTest, ImageFolderAccuracyForAModelOutsideTheZoo) {
  // tiny_cnn: 3x32x32 in, 10 scores out; two class folders of PPM images, class count set to 10.
  for (const char* cls : {"a", "b"}) {
    fs::create_directories(dir_ / "imgs" / cls);
    for (int i = 0; i < 3; ++i) {
      std::string img = "P6\n40 40\n255\n";
      img.append(40 * 40 * 3, static_cast<char>(40 * i + (cls[0] == 'a' ? 0 : 120)));
      std::ofstream(dir_ / "imgs" / cls / (std::to_string(i) + ".ppm"), std::ios::binary) << img;
    }
  }
  const auto r = profile({kZoo + "/tiny_cnn.pt", "--threads", "1", "--meter", "none", "--json", "--dataset",
                          "imagefolder:" + (dir_ / "imgs").string() + ",classes=10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto row = nlohmann::json::parse(r.out)[0];
  EXPECT_EQ(row["accuracy"]["provenance"], "measured:imagefolder:" + (dir_ / "imgs").string() + ":6");
  EXPECT_TRUE(row["accuracy"]["top1"].is_number());
  // Without classes=10 the folder has 2 classes and the 10-way model is refused.
  expect_bad_input(profile({kZoo + "/tiny_cnn.pt", "--threads", "1", "--meter", "none", "--force", "--dataset",
                            "imagefolder:" + (dir_ / "imgs").string()}),
                   "outputs 10 scores per sample but dataset imagefolder:");
}

// The engine is a sweep dimension. Every model runs in both engines, the table says
// which engine is faster per model, and a model an engine cannot run is UNSUPPORTED with why.
TEST_F(CliTest, EngineIsASweepDimension) {
#ifndef EDGEJOULE_HAVE_OPENCV_DNN
  GTEST_SKIP() << "this build has no opencv engine (EDGEJOULE_WITH_OPENCV=OFF)";
#endif
  const auto r = profile({"--zoo", kZoo, "--engine", "torchscript,opencv", "--batch", "1,2", "--threads", "1",
                          "--check-outputs"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Measured in both (VALID, or INVALID when this busy machine disturbed a 50 ms window).
  EXPECT_EQ(query("SELECT count(*) FROM points p JOIN configs c ON c.id = p.config_id "
                  "WHERE c.engine = 'opencv' AND p.status != 'UNSUPPORTED'"), 4) << r.out;
  EXPECT_EQ(query("SELECT count(*) FROM points p JOIN configs c ON c.id = p.config_id "
                  "WHERE c.engine = 'torchscript' AND p.status != 'UNSUPPORTED'"), 4) << r.out;
  // Each engine's points are on its own file: the ONNX export for opencv.
  EXPECT_EQ(query("SELECT count(*) FROM models WHERE format = 'onnx' AND path LIKE '%.onnx'"), 2);
  EXPECT_EQ(query("SELECT count(*) FROM points p JOIN models m ON m.id = p.model_id JOIN configs c "
                  "ON c.id = p.config_id WHERE c.engine = 'opencv' AND m.format != 'onnx'"), 0);
  // Every configuration VALID in both engines is compared under the table.
  const int64_t pairs = query(
      "SELECT count(*) FROM (SELECT p.model_id FROM points p JOIN configs c ON c.id = p.config_id JOIN models m "
      "ON m.id = p.model_id WHERE p.status = 'VALID' GROUP BY m.name, c.batch HAVING count(DISTINCT c.engine) = 2)");
  size_t compared = 0;
  for (size_t pos = 0; (pos = r.out.find("-> faster: ", pos)) != std::string::npos; ++pos) ++compared;
  EXPECT_EQ(compared, static_cast<size_t>(pairs)) << r.out;
  EXPECT_GT(pairs, 0) << r.out;
  // --check-outputs: both tiny models agree with LibTorch within the fp32 tolerance.
  EXPECT_NE(r.err.find("output check against torchscript fp32"), std::string::npos) << r.err;
  size_t agrees = 0;
  for (size_t pos = 0; (pos = r.err.find("  agrees", pos)) != std::string::npos; ++pos) ++agrees;
  EXPECT_EQ(agrees, 2u) << r.err;
  // The engine is recorded with every point, with the backend it used.
  EXPECT_EQ(query("SELECT count(*) FROM points WHERE json_extract(settings_json, '$.effective.backend') "
                  "= 'OPENCV/CPU'"), 4);
  // Another engine list on the same store resumes: the host does not change with --engine.
  const auto again = profile({"--zoo", kZoo, "--engine", "opencv", "--batch", "1,2", "--threads", "1"});
  EXPECT_NE(again.err.find("4 skipped"), std::string::npos) << again.err;
}

TEST_F(CliTest, AModelAnEngineCannotRunIsStoredUnsupportedWithTheReason) {
#ifndef EDGEJOULE_HAVE_OPENCV_DNN
  GTEST_SKIP() << "this build has no opencv engine (EDGEJOULE_WITH_OPENCV=OFF)";
#endif
  // A zoo whose ONNX export failed for one model and whose check found another unimportable.
  fs::create_directories(dir_ / "zoo");
  for (const char* f : {"tiny_cnn.pt", "tiny_mlp.pt", "tiny_mlp.onnx"}) fs::copy_file(kZoo + "/" + f, dir_ / "zoo" / f);
  auto manifest = nlohmann::json::parse(read_file(kZoo + "/zoo.json").value());
  for (auto& m : manifest["models"]) {
    m["files"].erase("torchscript_int8");
    m["files"].erase("openvino_int8");  // files this test does not copy
    m["files"].erase("onnx_int8");
    if (m["name"] == "tiny_cnn") {
      m["files"].erase("onnx");
      m["onnx_error"] = "SymbolicValueError: Unsupported: ONNX export of operator x";
      m.erase("engines");
    } else {
      m["engines"]["opencv"] = {{"runs", false}, {"reason", "Node [Foo@ai.onnx] (expected: bar)"}};
    }
  }
  std::ofstream(dir_ / "zoo" / "zoo.json") << manifest.dump(2);
  const auto listed = edgejoule({"zoo", "list", "--zoo", (dir_ / "zoo").string()});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("tiny_cnn / opencv: no onnx export (SymbolicValueError"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("tiny_mlp / opencv: the zoo build found opencv cannot run it: Node [Foo@ai.onnx]"),
            std::string::npos) << listed.out;

  const auto r = profile({"--zoo", (dir_ / "zoo").string(), "--engine", "torchscript,opencv", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query("SELECT count(*) FROM points WHERE status = 'VALID'"), 2);
  EXPECT_EQ(query("SELECT count(*) FROM points p JOIN configs c ON c.id = p.config_id WHERE c.engine = "
                  "'opencv' AND p.status = 'UNSUPPORTED' AND (p.reason LIKE '%no onnx export%' OR "
                  "p.reason LIKE '%Node [Foo@ai.onnx]%')"), 2);
  EXPECT_NE(r.out.find("UNSUPPORTED"), std::string::npos) << r.out;

  // A verdict the zoo build reached with another OpenCV version is stale: the engine is tried.
  for (auto& m : manifest["models"]) {
    if (m["name"] == "tiny_mlp") m["engines"]["opencv"]["engine_version"] = "opencv 0.0.1";
  }
  std::ofstream(dir_ / "zoo" / "zoo.json") << manifest.dump(2);
  const auto again = profile({"--zoo", (dir_ / "zoo").string(), "--models", "tiny_mlp", "--engine", "opencv",
                              "--threads", "1", "--force"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(query("SELECT count(*) FROM points p JOIN configs c ON c.id = p.config_id JOIN models m ON m.id = "
                  "p.model_id WHERE c.engine = 'opencv' AND m.name = 'tiny_mlp' AND p.status != 'UNSUPPORTED'"), 1);
  // The UNSUPPORTED point was about the same ONNX file, so it was replaced, not left beside.
  EXPECT_EQ(query("SELECT count(*) FROM points p JOIN configs c ON c.id = p.config_id JOIN models m ON m.id = "
                  "p.model_id WHERE c.engine = 'opencv' AND m.name = 'tiny_mlp'"), 1);
}

// Accuracy depends on the engine: measured per engine on the same labelled set.
TEST_F(CliTest, AccuracyIsMeasuredPerEngine) {
#ifndef EDGEJOULE_HAVE_OPENCV_DNN
  GTEST_SKIP() << "this build has no opencv engine (EDGEJOULE_WITH_OPENCV=OFF)";
#endif
  const auto r = profile({"--zoo", kFmnistZoo, "--engine", "torchscript,opencv", "--threads", "1", "--meter",
                          "none", "--dataset", "fmnist:test,limit=300", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 4u);
  std::map<std::string, std::map<std::string, double>> top1;  // model -> engine -> top-1
  for (const auto& row : rows) {
    EXPECT_EQ(row["accuracy"]["provenance"], "measured:fmnist:test:300");
    top1[row["model"]["name"]][row["config"]["engine"]] = row["accuracy"]["top1"].get<double>();
  }
  ASSERT_EQ(top1.size(), 2u);
  for (const auto& [model, by_engine] : top1) {
    ASSERT_EQ(by_engine.size(), 2u) << model;
    EXPECT_GT(by_engine.at("opencv"), 50.0) << model;
    // fp32 in both: at most one of 300 images may flip on rounding.
    EXPECT_NEAR(by_engine.at("opencv"), by_engine.at("torchscript"), 100.0 / 300 + 1e-9) << model;
  }
}

// Precision is a sweep dimension with accuracy measured per precision; int8 is the
// zoo's dynamically quantised export.
TEST_F(CliTest, Int8AndFp32BothCarryMeasuredAccuracy) {
  const auto r = profile({"--zoo", kFmnistZoo, "--precision", "fp32,int8", "--optimize", "off,on", "--threads", "1",
                          "--meter", "none", "--dataset", "fmnist:test,limit=300", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 8u);  // 2 models x 2 precisions x optimize off/on
  std::map<std::string, double> fp32_top1;
  for (const auto& row : rows) {
    EXPECT_NE(row["status"], "UNSUPPORTED") << row.dump();
    EXPECT_EQ(row["accuracy"]["provenance"], "measured:fmnist:test:300");
    if (row["config"]["precision"] == "fp32") fp32_top1[row["model"]["name"]] = row["accuracy"]["top1"].get<double>();
  }
  for (const auto& row : rows) {
    // Quantising Linear weights to int8 moves a few of 300 predictions at most.
    EXPECT_NEAR(row["accuracy"]["top1"].get<double>(), fp32_top1.at(row["model"]["name"]), 3.0) << row.dump();
  }
  // int8 points ran the quantised file, not the fp32 one.
  EXPECT_EQ(query("SELECT count(*) FROM points p JOIN models m ON m.id = p.model_id JOIN configs c ON "
                  "c.id = p.config_id WHERE c.precision = 'int8' AND m.path LIKE '%.int8.pt'"), 4);
  EXPECT_EQ(query("SELECT count(*) FROM configs WHERE optimize = 1"), 2);
  // The platform's power state is recorded with every point, knob or not.
  EXPECT_EQ(query("SELECT count(*) FROM points WHERE json_valid(platform_json) AND "
                  "json_type(platform_json, '$.cpufreq') IS NOT NULL"), 8);
}

// The knob added through the configuration-field table alone (src/core/config_fields.cpp and the
// engine that honours it): LibTorch's quantised kernels, swept like any other knob.
TEST_F(CliTest, QengineIsAKnobOfTheTorchscriptEngineForInt8) {
  const auto r = profile({"--zoo", kFmnistZoo, "--models", "fmnist_mlp_xs", "--precision", "fp32,int8", "--qengine",
                          "auto,qnnpack", "--engine", "torchscript,opencv", "--threads", "1", "--meter", "none", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::string> status;  // "engine precision qengine" -> status
  for (const auto& row : nlohmann::json::parse(r.out)) {
    status[row["config"]["engine"].get<std::string>() + " " + row["config"]["precision"].get<std::string>() + " " +
           row["config"]["qengine"].get<std::string>()] = row["status"];
  }
  ASSERT_EQ(status.size(), 8u) << r.out;
  EXPECT_NE(status.at("torchscript int8 qnnpack"), "UNSUPPORTED");
  EXPECT_NE(status.at("torchscript int8 auto"), "UNSUPPORTED");
  EXPECT_EQ(status.at("torchscript fp32 qnnpack"), "UNSUPPORTED");  // no int8 kernels to choose
  EXPECT_EQ(status.at("opencv fp32 qnnpack"), "UNSUPPORTED");       // not an opencv knob
  EXPECT_EQ(query("SELECT count(*) FROM points p JOIN configs c ON c.id = p.config_id WHERE c.qengine = 'qnnpack' "
                  "AND p.status != 'UNSUPPORTED' AND json_extract(p.settings_json, '$.effective.backend') = "
                  "'qengine=qnnpack'"),
            1);
  EXPECT_EQ(query("SELECT count(*) FROM points p JOIN configs c ON c.id = p.config_id WHERE c.engine = 'opencv' AND "
                  "c.qengine = 'qnnpack' AND p.reason LIKE '%no such knob: --qengine qnnpack%'"),
            2);  // fp32 and int8: the knob is refused before the precision is looked at
  // Configurations at the default keep their key (no qengine fragment).
  EXPECT_EQ(query("SELECT count(*) FROM configs WHERE qengine = 'auto' AND key LIKE '%qengine%'"), 0);
}

#if defined(EDGEJOULE_HAVE_OPENVINO) || defined(EDGEJOULE_HAVE_ONNXRUNTIME)
// The top-1 the zoo build measured on the test split for each Fashion-MNIST fixture model's
// quantised `format` file, each calibrated on 300 training images.
std::map<std::string, double> int8_top1_the_build_measured(const std::string& format) {
  const auto manifest = nlohmann::json::parse(*read_file(std::string(kFmnistZoo) + "/zoo.json"));
  std::map<std::string, double> top1;
  for (const auto& m : manifest["models"]) {
    EXPECT_TRUE(m["files"].contains(format)) << m.dump();
    EXPECT_EQ(m.value(format + "_calibration", std::string()), "fmnist:train:300") << m.dump();
    if (m["files"].contains(format)) top1[m["name"]] = m["format_accuracy"][format]["top1"].get<double>();
  }
  return top1;
}
#endif

#ifdef EDGEJOULE_HAVE_OPENVINO
// OpenVINO's int8 is the zoo's NNCF-quantised IR (calibrated on the training split),
// whose accuracy the build measured on the test split; the engine measures the same figure.
TEST_F(CliTest, OpenvinoInt8RunsTheNncfFileWithItsOwnAccuracy) {
  const auto built_int8_top1 = int8_top1_the_build_measured("openvino_int8");
  ASSERT_EQ(built_int8_top1.size(), 2u);
  // Without a dataset, an int8 point carries the int8 file's figure, not the fp32 model's.
  auto r = profile({"--zoo", kFmnistZoo, "--engine", "openvino", "--precision", "fp32,int8", "--threads", "1",
                    "--meter", "none", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& row : nlohmann::json::parse(r.out)) {
    if (row["config"]["precision"] != "int8") continue;
    EXPECT_DOUBLE_EQ(row["accuracy"]["top1"].get<double>(), built_int8_top1.at(row["model"]["name"])) << row.dump();
  }
  // With the dataset the engine measures it: the same 300 images give the same figure (one
  // image's rounding at most).
  r = profile({"--zoo", kFmnistZoo, "--engine", "openvino", "--precision", "fp32,int8", "--threads", "1",
               "--meter", "none", "--dataset", "fmnist:test,limit=300", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) {
    EXPECT_NE(row["status"], "UNSUPPORTED") << row.dump();
    EXPECT_EQ(row["accuracy"]["provenance"], "measured:fmnist:test:300");
    if (row["config"]["precision"] == "int8") {
      EXPECT_NEAR(row["accuracy"]["top1"].get<double>(), built_int8_top1.at(row["model"]["name"]), 100.0 / 300 + 1e-9);
    }
  }
  EXPECT_EQ(query("SELECT count(*) FROM points p JOIN models m ON m.id = p.model_id JOIN configs c ON "
                  "c.id = p.config_id WHERE c.engine = 'openvino' AND c.precision = 'int8' AND m.path LIKE "
                  "'%.ov-int8.xml' AND json_extract(p.settings_json, '$.effective.backend') LIKE "
                  "'%fake_quantize_ops=%'"),
            2);
  // An fp32 ONNX file (here without the zoo that names its int8 file) is refused for int8 in
  // one sentence: it has no quantised operation.
  const std::string loose = (dir_ / "fp32.onnx").string();
  fs::copy_file(std::string(kFmnistZoo) + "/fmnist_mlp_xs.onnx", loose);
  expect_bad_input(profile({loose, "--input-shape", "1x1x28x28", "--engine", "openvino", "--precision", "int8",
                            "--threads", "1", "--meter", "none"}),
                   "has no quantised operation");
}
#endif

#ifdef EDGEJOULE_HAVE_ONNXRUNTIME
// ONNX Runtime's int8 is the zoo's QDQ file that onnxruntime.quantization calibrated on the
// training split, whose accuracy the build measured on the test split; the engine measures the
// same figure, and each point stores the session options it ran with.
TEST_F(CliTest, OnnxruntimeRunsTheQdqFileWithItsOwnAccuracyAndStoresItsSessionOptions) {
  const auto built_int8_top1 = int8_top1_the_build_measured("onnx_int8");
  ASSERT_EQ(built_int8_top1.size(), 2u);
  auto r = profile({"--zoo", kFmnistZoo, "--engine", "onnxruntime", "--precision", "fp32,int8", "--threads", "1",
                    "--ort-graph-opt", "all,disable", "--meter", "none", "--dataset", "fmnist:test,limit=300",
                    "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 8u);
  for (const auto& row : rows) {
    EXPECT_NE(row["status"], "UNSUPPORTED") << row.dump();
    EXPECT_EQ(row["accuracy"]["provenance"], "measured:fmnist:test:300");
    if (row["config"]["precision"] == "int8") {
      EXPECT_NEAR(row["accuracy"]["top1"].get<double>(), built_int8_top1.at(row["model"]["name"]), 100.0 / 300 + 1e-9);
    }
  }
  EXPECT_EQ(query("SELECT count(*) FROM points p JOIN models m ON m.id = p.model_id JOIN configs c ON "
                  "c.id = p.config_id WHERE c.engine = 'onnxruntime' AND c.precision = 'int8' AND m.path LIKE "
                  "'%.qdq-int8.onnx' AND json_extract(p.settings_json, '$.effective.backend') LIKE "
                  "'%quantize_linear_ops=%'"),
            4);
  EXPECT_EQ(query("SELECT count(*) FROM points p JOIN configs c ON c.id = p.config_id WHERE c.ort_graph_opt = "
                  "'disable' AND json_extract(p.settings_json, '$.effective.backend') LIKE "
                  "'CPUExecutionProvider graph_optimization=disable execution_mode=sequential intra_op_threads=1%'"),
            4);
  // Another engine does not honour the knob: UNSUPPORTED with why, nothing run.
  r = profile({"--zoo", kFmnistZoo, "--engine", "opencv", "--threads", "1", "--ort-graph-opt", "basic",
               "--meter", "none", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& row : nlohmann::json::parse(r.out)) {
    EXPECT_EQ(row["status"], "UNSUPPORTED") << row.dump();
    EXPECT_NE(row["reason"].get<std::string>().find("--ort-graph-opt basic (honoured by onnxruntime)"),
              std::string::npos) << row.dump();
  }
  // A bad value is the user's, in one sentence.
  expect_bad_input(profile({"--zoo", kFmnistZoo, "--engine", "onnxruntime", "--ort-graph-opt", "max"}),
                   "unknown value 'max' for --ort-graph-opt");
}
#endif

TEST_F(CliTest, EnginesListsWhatIsBuiltIn) {
  const auto r = edgejoule({"engines", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& e : nlohmann::json::parse(r.out)) by_name[e["name"]] = e;
  ASSERT_TRUE(by_name.count("torchscript"));
  EXPECT_EQ(by_name["torchscript"]["version"].get<std::string>().rfind("libtorch ", 0), 0u);
#ifdef EDGEJOULE_HAVE_OPENCV_DNN
  ASSERT_TRUE(by_name.count("opencv"));
  const auto backends = by_name["opencv"]["backends"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(backends.begin(), backends.end(), "OPENCV/CPU"), backends.end()) << r.out;
#endif
  // Every registered engine is listed; one that is not built in says why.
  ASSERT_TRUE(by_name.count("openvino")) << r.out;
#ifdef EDGEJOULE_HAVE_OPENVINO
  EXPECT_TRUE(by_name["openvino"]["built_in"].get<bool>());
  EXPECT_EQ(by_name["openvino"]["version"].get<std::string>().rfind("openvino 20", 0), 0u) << r.out;
  const auto devices = by_name["openvino"]["devices"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(devices.begin(), devices.end(), "cpu"), devices.end()) << r.out;
#else
  EXPECT_FALSE(by_name["openvino"]["built_in"].get<bool>());
  EXPECT_NE(by_name["openvino"]["why"].get<std::string>().find("make deps"), std::string::npos) << r.out;
#endif
  // --names: the built-in ones only, ready for --engine (make demo sweeps them).
  std::vector<std::string> built;
  for (const auto& [name, e] : by_name) {
    if (e["built_in"].get<bool>()) built.push_back(name);
  }
  const auto names = edgejoule({"engines", "--names"});
  ASSERT_EQ(names.exit_code, 0) << names.err;
  auto listed = split(trim(names.out), ',');
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, built) << names.out;
}

TEST_F(CliTest, ZooListShowsTheManifest) {
  const auto r = edgejoule({"zoo", "list", "--zoo", kZoo});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tiny_cnn"), std::string::npos);
  EXPECT_NE(r.out.find("tiny_mlp"), std::string::npos);
#ifdef EDGEJOULE_HAVE_OPENCV_DNN
  // The engines that run each model (and the int8 export LibTorch can run too).
  EXPECT_NE(r.out.find("torchscript(+int8),opencv"), std::string::npos) << r.out;
#endif
  expect_bad_input(edgejoule({"zoo", "list", "--zoo", dir_.string()}), "no zoo manifest");
  // The engines to check after a build are named before anything is exported.
  const std::string out = (dir_ / "new-zoo").string();
  expect_bad_input(edgejoule({"zoo", "build", "--set", "tiny", "--out", out, "--check", "nosuch"}),
                   "unknown engine 'nosuch'");
  expect_bad_input(edgejoule({"zoo", "build", "--set", "tiny", "--out", out, "--check", "torchscript"}),
                   "it is the reference the others are compared with");
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace edgejoule
