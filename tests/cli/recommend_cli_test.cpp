// recommend, frontier and evaluate as a user meets them: on a synthetic store with a known
// optimum (written through the store API), and evaluate on a real profiled zoo.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "store/store.h"
#include "support/synthetic_store.h"

namespace edgejoule {
namespace {

using testing::CliTest;
using testing::kFmnistZoo;
using testing::kQuick;
using testing::write_store;

class RecommendCli : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    auto zoo = testing::synthetic_zoo();
    zoo.push_back({"guessed", 0.012, 77.9, 3, "VALID", "estimated:cpu-time"});  // another energy kind
    write_store(db_, zoo);
  }
  nlohmann::json recommend_json(std::vector<std::string> extra) {
    std::vector<std::string> args = {"recommend", "--db", db_, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = edgejoule(args);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 3) << r.err;
    return nlohmann::json::parse(r.out);
  }
};

TEST_F(RecommendCli, ReturnsTheOraclesChoiceAtEveryBudget) {
  const std::pair<const char*, const char*> cases[] = {
      {"0.01", "tiny"}, {"0.019", "tiny"}, {"0.02", "small"}, {"0.05", "medium"}, {"0.2", "large"}, {"1", "huge"}};
  for (const auto& [budget, model] : cases) {
    const auto j = recommend_json({"--energy-budget-j", budget});
    ASSERT_FALSE(j["chosen"].is_null()) << budget;
    EXPECT_EQ(j["chosen"]["point"]["model"]["name"], model) << budget;
    EXPECT_LE(j["budget_use"].get<double>(), 1.0);
    EXPECT_EQ(j["energy_kind"], "measured");
  }
}

TEST_F(RecommendCli, TextOutputExplainsTheChoice) {
  const auto r = edgejoule({"recommend", "--db", db_, "--energy-budget-j", "0.05"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("medium torchscript/cpu/fp32 b1 t1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("uses 90.0 % of the budget"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("binding: energy budget"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("next step up: large"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("measured:rapl:package-0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("declared:synthetic"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("INVALID or UNSUPPORTED point(s) not considered"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("estimated energy left out"), std::string::npos) << r.out;
}

TEST_F(RecommendCli, ConstraintsBindAndTheJsonSaysWhich) {
  auto j = recommend_json({"--energy-budget-j", "1", "--latency-p99-ms", "10"});
  EXPECT_EQ(j["chosen"]["point"]["model"]["name"], "medium");
  EXPECT_EQ(j["binding_constraints"], nlohmann::json::array({"latency p99"}));
  j = recommend_json({"--energy-budget-j", "1", "--max-memory-mb", "200"});
  // Peak memory is 100 MiB + 1000 x energy here: large (210 MiB) and huge (500 MiB) do not fit.
  EXPECT_EQ(j["chosen"]["point"]["model"]["name"], "medium");
  EXPECT_EQ(j["binding_constraints"], nlohmann::json::array({"memory"}));
}

TEST_F(RecommendCli, NothingFitsExitsThreeAndNamesTheBudgetNeeded) {
  const auto r = edgejoule({"recommend", "--db", db_, "--energy-budget-j", "0.001"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("Nothing fits"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tiny"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("needs a budget of at least 10 mJ"), std::string::npos) << r.out;
  const auto j = recommend_json({"--energy-budget-j", "0.001"});
  EXPECT_TRUE(j["chosen"].is_null());
  EXPECT_DOUBLE_EQ(j["cheapest"]["budget_needed_j"].get<double>(), 0.010);
}

TEST_F(RecommendCli, EstimatedFiguresOnlyWhenAsked) {
  const auto j = recommend_json({"--energy-budget-j", "0.05", "--energy-source", "estimated"});
  EXPECT_EQ(j["chosen"]["point"]["model"]["name"], "guessed");
  EXPECT_EQ(j["chosen"]["point"]["energy"]["provenance"], "estimated:cpu-time");
}

TEST_F(RecommendCli, AccuracyOnAnotherDatasetIsNeverComparedSilently) {
  write_store(db_, {{"digits", 0.001, 99.0, 1, "VALID", "measured:rapl:package-0", "fmnist:test"}});
  expect_bad_input(edgejoule({"recommend", "--db", db_, "--energy-budget-j", "0.05"}),
                   "holds accuracy on several datasets, which do not compare: fmnist:test (1 points), "
                   "synthetic-1k (5 points); choose one with --dataset");
  EXPECT_EQ(recommend_json({"--energy-budget-j", "0.05", "--dataset", "synthetic-1k"})["chosen"]["point"]["model"]["name"],
            "medium");
  EXPECT_EQ(recommend_json({"--energy-budget-j", "0.05", "--dataset", "fmnist:test"})["chosen"]["point"]["model"]["name"],
            "digits");
}

TEST_F(RecommendCli, BadFlagsAndMissingStoreAreClearErrors) {
  expect_bad_input(edgejoule({"recommend", "--db", db_, "--energy-budget-j", "-1"}), "positive number");
  EXPECT_EQ(edgejoule({"recommend", "--db", db_}).exit_code, 2);  // the budget is required
  expect_bad_input(edgejoule({"recommend", "--db", (dir_ / "none.db").string(), "--energy-budget-j", "1"}),
                   "none.db");
  expect_bad_input(edgejoule({"recommend", "--db", db_, "--energy-budget-j", "1", "--objective", "speed"}),
                   "--objective");
}

TEST_F(RecommendCli, FrontierShowsMarginalCostGrowing) {
  const auto r = edgejoule({"frontier", "--db", db_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  std::vector<std::string> models;
  for (const auto& s : j["frontier"]) models.push_back(s["candidate"]["point"]["model"]["name"]);
  EXPECT_EQ(models, (std::vector<std::string>{"tiny", "small", "medium", "large", "huge"}));
  EXPECT_TRUE(j["frontier"][0]["marginal_j_per_accuracy_point"].is_null());
  EXPECT_NEAR(j["frontier"][4]["marginal_j_per_accuracy_point"].get<double>(), 0.29 / 2, 1e-9);
  const auto text = edgejoule({"frontier", "--db", db_});
  EXPECT_NE(text.out.find("(energy from measured:rapl:package-0; accuracy from declared:synthetic)"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("Along the frontier an extra accuracy point costs from 833 uJ to 145 mJ per inference"), std::string::npos) << text.out;
}

// evaluate re-measures, so it runs on a store profiled here: two Fashion-MNIST models with
// accuracy from their manifest, estimated energy, two batch sizes.
TEST_F(CliTest, EvaluateRemeasuresEachPickAndStoresTheRun) {
  const auto p = profile({"--zoo", kFmnistZoo, "--threads", "1", "--batch", "1,4", "--meter", "estimate"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  std::vector<std::string> args = {"evaluate", "--db", db_, "--budgets", "5", "--quiet"};
  args.insert(args.end(), kQuick.begin(), kQuick.end());
  const auto r = edgejoule(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Recommender evaluation: 5 budgets"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("violations (re-measured energy above the budget beyond its 95 % CI)"), std::string::npos);
  EXPECT_NE(r.out.find("ESTIMATED"), std::string::npos) << r.out;  // the notes say what the energy is
  EXPECT_EQ(query("SELECT count(*) FROM evaluation_runs"), 1);
  EXPECT_EQ(query("SELECT count(*) FROM evaluations"), 5);
  // Every budget from the cheapest point up has a pick, re-measured with the same meter.
  EXPECT_EQ(query("SELECT count(*) FROM evaluations WHERE point_id IS NOT NULL"), 5);
  EXPECT_EQ(query("SELECT count(*) FROM evaluations WHERE remeasure_status IN ('VALID', 'INVALID')"), 5);
  EXPECT_EQ(query("SELECT count(*) FROM evaluations WHERE regret_pct = 0"), 5);
  // Each re-measurement keeps what the engine applied, as the point it checks does.
  EXPECT_EQ(query("SELECT count(*) FROM evaluations WHERE json_extract(effective_json, '$.engine') = 'torchscript' "
                  "AND json_extract(effective_json, '$.threads') = 1"),
            5);

  // A meter that cannot be used, or is not the one that measured the points: one sentence, exit
  // 2, before any re-measurement, and no run stored.
  expect_bad_input(edgejoule({"evaluate", "--db", db_, "--meter", "log:" + (dir_ / "none.csv").string()}), "none.csv");
  expect_bad_input(edgejoule({"evaluate", "--db", db_, "--meter", "estimate:core_w=5"}),
                   "pass the meter they were profiled with");
  EXPECT_EQ(query("SELECT count(*) FROM evaluation_runs"), 1);
}

TEST_F(CliTest, EvaluateWithAnotherMetersPointsSaysWhy) {
  write_store(db_, {{"a", 0.01, 50, 1}, {"b", 0.02, 60, 2}});
  const auto r = edgejoule({"evaluate", "--db", db_, "--budgets", "3"});
  expect_bad_input(r, "evaluate re-measures, so run it where the points were profiled");
}

}  // namespace
}  // namespace edgejoule
