// edgejoule run from the command line, on the Fashion-MNIST fixture models through the real
// engines: the budget spent and never exceeded, accuracy measured on the labelled inputs, the run
// stored as a record of its own, an external meter, Ctrl-C, and every bad input refused before
// anything runs or is written.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "support/power_log_writer.h"

namespace edgejoule::testing {
namespace {

class RunCli : public CliTest {
 protected:
  // Both fixture models at one thread, accuracy measured on 300 test images. A point is VALID up
  // to a window CV of 50 %: these tests are about running under a budget, and beside other tests
  // on two cores a 0.2 s window's latency can vary by more than the default 10 %.
  // `min_time_s`: a window's shortest duration, which must stay 10 of the meter's update periods
  // even when a loaded machine slows the meter down.
  void profile_fmnist(const std::vector<std::string>& extra = {}, const std::string& min_time_s = "0.2") {
    std::vector<std::string> args = {"--zoo", kFmnistZoo, "--threads", "1", "--dataset", "fmnist:test,limit=300",
                                     "--min-time-s", min_time_s, "--max-cv", "0.5"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = profile(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_GE(query("SELECT count(*) FROM points WHERE status = 'VALID'"), 2)
        << r.err << edgejoule({"list", "--db", db_, "--status", "INVALID"}).out;
    // The fixture's MLP is both the cheaper and the more accurate model, a frontier of one point:
    // the CNN is stored as the more accurate one, so the frontier has two ends to mix (the run's
    // measured accuracy then differs from the plan's, which these tests do not check).
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "UPDATE points SET top1_measured = 95 WHERE model_id IN "
                           "(SELECT id FROM models WHERE name LIKE 'fmnist_cnn%')",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  // A budget per inference between the cheapest point and the most accurate one (the frontier's
  // two ends), as recommend sees them: four fifths of the way up, so that the cheapest still fits
  // when the tests beside this one slow the machine down by half.
  double budget_between_ends_j() {
    const auto r = edgejoule({"recommend", "--db", db_, "--energy-budget-j", "1", "--runners-up", "100", "--json"});
    const auto doc = nlohmann::json::parse(r.out);
    const double hi = doc["chosen"]["energy_j_per_inference"].get<double>();
    double lo = hi;
    for (const auto& c : doc["runners_up"]) lo = std::min(lo, c["energy_j_per_inference"].get<double>());
    return lo + 0.8 * (hi - lo);
  }
  int64_t runs() const { return fs::exists(db_) ? query("SELECT count(*) FROM runs") : 0; }
};

TEST_F(RunCli, SpendsTheBudgetWithoutExceedingItAndStoresTheRun) {
  profile_fmnist();
  const double per = budget_between_ends_j();
  const auto predictions = (dir_ / "predictions.csv").string();
  const auto r = edgejoule({"run", "--db", db_, "--input", "fmnist:test,limit=300", "--inferences", "20000",
                            "--energy-per-inference-j", fmt::format("{:.9g}", per), "--window-s", "0.1",
                            "--predictions", predictions, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["status"], "completed");
  EXPECT_EQ(doc["inferences"]["done"], 20000);
  const double use = doc["energy"]["budget_use"].get<double>();
  EXPECT_LE(use, 1.0);
  // Most of it spent: the stored costs come from another process, and under a parallel test run
  // on two cores this job's calls can run dearer than stored, which the runner meets by buying
  // less (0.87 seen under ctest -j2 in a fresh clone's make test, 0.84 with a busy process on one
  // of the cores as well).
  EXPECT_GE(use, 0.8) << r.err;
  EXPECT_EQ(doc["energy"]["provenance"], "estimated:cpu-time");
  EXPECT_EQ(doc["accuracy"]["source"], "measured:fmnist:test:20000");
  EXPECT_GE(doc["plan"]["replans"].get<int>(), 3);
  EXPECT_GT(doc["accuracy"]["top1"].get<double>(), 50);
  int64_t total = 0;
  for (const auto& o : doc["options"]) total += o["inferences"].get<int64_t>();
  EXPECT_EQ(total, 20000);
  EXPECT_GE(doc["options"].size(), 2u);
  // One line per labelled inference, its correctness adding up to the accuracy.
  std::ifstream in(predictions);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "inference,sample,configuration,label,predicted,correct");
  int lines = 0, right = 0;
  while (std::getline(in, line)) {
    ++lines;
    right += line.back() == '1';
  }
  EXPECT_EQ(lines, 20000);
  EXPECT_NEAR(100.0 * right / 20000, doc["accuracy"]["top1"].get<double>(), 1e-9);
  // A record of its own, listed with --runs; the points are untouched.
  EXPECT_EQ(runs(), 1);
  const auto points_before = points();
  const auto listed = edgejoule({"list", "--db", db_, "--runs", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto stored = nlohmann::json::parse(listed.out);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0]["energy"]["energy_j"], doc["energy"]["energy_j"]);
  EXPECT_EQ(stored[0]["id"], doc["id"]);
  const auto table = edgejoule({"list", "--db", db_, "--runs"});
  EXPECT_NE(table.out.find("completed"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("20000/20000"), std::string::npos) << table.out;
  EXPECT_EQ(points(), points_before);
}

// A constant 12 W on an external meter: the run's energy is 12 W over its duration, within the budget.
TEST_F(RunCli, WithAnExternalMeterTheRunsEnergyIsItsPowerOverItsDuration) {
  const std::string log = (dir_ / "power.csv").string();
  std::optional<PowerLogWriter> writer;
  writer.emplace(log, 12.0, 0.02, 20);
  profile_fmnist({"--meter", "log:" + log}, "0.4");  // the log's 0.02 s lines come late under load
  const double per = budget_between_ends_j();
  const auto r = edgejoule({"run", "--db", db_, "--input", "synthetic", "--inferences", "40000", "--meter",
                            "log:" + log, "--energy-per-inference-j", fmt::format("{:.9g}", per), "--window-s",
                            "0.2", "--json"});
  writer.reset();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["energy"]["provenance"], "measured:log:" + log);
  const double energy = doc["energy"]["energy_j"].get<double>();
  EXPECT_NEAR(energy, 12.0 * doc["duration_s"].get<double>(), 0.05 * energy);
  EXPECT_LE(doc["energy"]["budget_use"].get<double>(), 1.0);
  EXPECT_TRUE(doc["accuracy"].is_null());  // synthetic input: nothing to measure accuracy on
}

// At a rate: the budget as average watts, the job as a duration, the idle gaps between inferences
// spent too; the plan uses each point's energy at that rate (derived from its back-to-back figures).
TEST_F(RunCli, AtARateTheBudgetIsWattsOverTheJobsDuration) {
  profile_fmnist();
  // Generous: waking 400 times a second costs more than the derived figures know (the run finds
  // out and re-plans); this test is of the rate's mechanics, the budget's are tested above.
  const double per = 20 * budget_between_ends_j();
  const double rate = 400;
  const auto r = edgejoule({"run", "--db", db_, "--input", "fmnist:test,limit=300", "--rate", "400", "--duration-s",
                            "2", "--power-budget-w", fmt::format("{:.9g}", per * rate), "--window-s", "0.2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["inferences"]["planned"], 800);
  EXPECT_EQ(doc["inferences"]["done"], 800);
  EXPECT_NEAR(doc["duration_s"].get<double>(), 2.0, 0.3);
  EXPECT_LE(doc["energy"]["budget_use"].get<double>(), 1.0);
  EXPECT_EQ(doc["budget"]["rate_qps"], 400.0);
  EXPECT_NE(doc["budget"]["described"].get<std::string>().find(" W at 400 inferences/s"), std::string::npos);
  EXPECT_FALSE(doc["latency"]["p99_ms"].is_null());
  for (const auto& o : doc["options"]) {
    EXPECT_NE(o["stored_energy_provenance"].get<std::string>().find("derived:rate:400"), std::string::npos) << o.dump();
  }
}

TEST_F(RunCli, CtrlCKeepsTheRecord) {
  profile_fmnist();
  const pid_t pid = spawn(kBinary,
                          {"run", "--db", db_, "--input", "synthetic", "--inferences", "100000000",
                           "--energy-per-inference-j", "1"},
                          (dir_ / "out").string(), (dir_ / "err").string());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  kill(pid, SIGINT);
  EXPECT_EQ(wait_exit(pid), 130);
  ASSERT_EQ(runs(), 1);
  EXPECT_EQ(query("SELECT count(*) FROM runs WHERE status = 'interrupted' AND inferences_done > 0"), 1);
  EXPECT_EQ(integrity(), "ok");
}

TEST_F(RunCli, BadInputIsOneSentenceAndNothingRunsOrIsStored) {
  expect_bad_input(edgejoule({"run", "--db", db_, "--inferences", "10", "--energy-budget-j", "1"}),
                   "no database at '" + db_ + "': run 'edgejoule profile' first");
  EXPECT_FALSE(fs::exists(db_));
  profile_fmnist();
  expect_bad_input(edgejoule({"run", "--db", db_, "--inferences", "10"}), "give a budget: --energy-budget-j J");
  expect_bad_input(edgejoule({"run", "--db", db_, "--inferences", "10", "--energy-budget-j", "1",
                              "--energy-per-inference-j", "1"}),
                   "give one budget");
  expect_bad_input(edgejoule({"run", "--db", db_, "--energy-budget-j", "1"}), "give the work: --inferences N");
  expect_bad_input(edgejoule({"run", "--db", db_, "--duration-s", "2", "--energy-budget-j", "1"}),
                   "--duration-s T needs --rate R");
  expect_bad_input(edgejoule({"run", "--db", db_, "--inferences", "10", "--power-budget-w", "3"}),
                   "--power-budget-w W needs --rate R");
  expect_bad_input(edgejoule({"run", "--db", db_, "--inferences", "1000000", "--energy-budget-j", "0.001"}),
                   "the budget of 0.001 J cannot cover 1000000 inferences even at the cheapest configuration (");
  expect_bad_input(edgejoule({"run", "--db", db_, "--inferences", "10", "--energy-budget-j", "1", "--dataset",
                              "imagenet-1k"}),
                   "the frontier is empty: no VALID batch-1 single-stream point");
  fs::create_directories(dir_ / "no-images");
  expect_bad_input(edgejoule({"run", "--db", db_, "--inferences", "10", "--energy-budget-j", "1", "--input",
                              "imagefolder:" + (dir_ / "no-images").string()}),
                   "holds no images");
  EXPECT_EQ(runs(), 0);
}

// Points of another host only: refused, unless --any-host, which plans with them and says so.
TEST_F(RunCli, AnotherHostsPointsNeedAnyHost) {
  std::vector<std::string> args = {"EDGEJOULE_HOSTNAME=another-board", kBinary, "profile", "--db", db_, "--quiet"};
  args.insert(args.end(), kQuick.begin(), kQuick.end());
  args.insert(args.end(), {"--zoo", kFmnistZoo, "--threads", "1", "--dataset", "fmnist:test,limit=300", "--min-time-s",
                           "0.2"});
  ASSERT_EQ(run("/usr/bin/env", args).exit_code, 0);
  expect_bad_input(edgejoule({"run", "--db", db_, "--inferences", "100", "--energy-budget-j", "10"}),
                   "has no VALID points of this host");
  EXPECT_EQ(runs(), 0);
  const auto r = edgejoule({"run", "--db", db_, "--inferences", "100", "--energy-budget-j", "10", "--any-host"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: planning with another host's figures (another-board)"), std::string::npos) << r.err;
  EXPECT_EQ(runs(), 1);
}

TEST_F(RunCli, AMissingModelFileIsNamed) {
  // The store names a copy of the zoo, which then loses a model file.
  const auto zoo = dir_ / "zoo";
  fs::copy(kFmnistZoo, zoo, fs::copy_options::recursive);
  const auto r = profile({"--zoo", zoo.string(), "--threads", "1", "--engine", "torchscript", "--dataset",
                          "fmnist:test,limit=300", "--min-time-s", "0.2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& f : fs::directory_iterator(zoo)) {
    if (f.path().extension() == ".pt") fs::remove(f.path());
  }
  expect_bad_input(edgejoule({"run", "--db", db_, "--inferences", "10", "--energy-budget-j", "1"}), "does not exist");
  EXPECT_EQ(runs(), 0);
}

TEST_F(RunCli, RecommendMixShowsTheTwoPointsAndTheirShares) {
  profile_fmnist();
  const double per = budget_between_ends_j();
  const auto r = edgejoule({"recommend", "--db", db_, "--energy-budget-j", fmt::format("{:.9g}", per), "--mix", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto mix = nlohmann::json::parse(r.out)["mix"];
  ASSERT_FALSE(mix.is_null());
  const double share = mix["dearer_share"].get<double>();
  EXPECT_GT(share, 0);
  EXPECT_LT(share, 1);
  const double lo = mix["cheaper"]["energy_j_per_inference"].get<double>();
  const double hi = mix["dearer"]["energy_j_per_inference"].get<double>();
  EXPECT_NEAR(mix["expected_energy_j"].get<double>(), (1 - share) * lo + share * hi, 1e-12);
  EXPECT_NEAR(mix["expected_energy_j"].get<double>(), per, 1e-9);
  EXPECT_NEAR(mix["budget_use"].get<double>(), 1.0, 1e-9);
  const double a_lo = mix["cheaper"]["top1"].get<double>();
  const double a_hi = mix["dearer"]["top1"].get<double>();
  EXPECT_NEAR(mix["expected_top1"].get<double>(), (1 - share) * a_lo + share * a_hi, 1e-9);
  const auto text = edgejoule({"recommend", "--db", db_, "--energy-budget-j", fmt::format("{:.9g}", per), "--mix"});
  EXPECT_NE(text.out.find("Mix (two points sharing the inferences"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace edgejoule::testing
