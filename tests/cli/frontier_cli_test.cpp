// profile --strategy frontier as a user runs it: it stores each point it measures once, a second
// run resumes from the store and settles at once, and its flags are refused where they mean
// nothing. The stopping rule itself is tested on synthetic stores (recommend/frontier_plan_test).
// Also `zoo ops`, the operator listing of a model file.

#include <gtest/gtest.h>

#include <fstream>

#include "cli/cli_fixture.h"
#include "store/store.h"
#include "support/point_records.h"

namespace edgejoule::testing {
namespace {

TEST_F(CliTest, FrontierSweepStoresEachPointOnceAndResumesSettled) {
  const std::vector<std::string> sweep = {"--zoo", kFmnistZoo, "--batch", "1,2", "--threads", "1,2",
                                          "--strategy", "frontier", "--round-size", "3"};
  const auto first = profile(sweep);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("frontier settled after"), std::string::npos) << first.err;
  const int64_t stored = query("SELECT count(*) FROM points");
  EXPECT_GT(stored, 0);
  EXPECT_LE(stored, 8);  // 2 models x 2 batches x 2 thread counts
  EXPECT_EQ(stored, query("SELECT count(DISTINCT model_id || '/' || config_id) FROM points"));
  // Asked again, it starts from the store: nothing left to measure.
  const auto again = profile(sweep);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 measured"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("frontier settled after 0 round(s)"), std::string::npos) << again.err;
  EXPECT_EQ(query("SELECT count(*) FROM points"), stored);
}

// What a sweep left unmeasured is listed with --status PREDICTED, and only there.
TEST_F(CliTest, ListShowsStoredPredictionsOnlyWhenAskedFor) {
  ASSERT_EQ(profile({"--zoo", kFmnistZoo, "--batch", "1", "--threads", "1"}).exit_code, 0);
  {
    const PointRecord r = point_record("sha-predicted", 8);
    open_store(db_, OpenMode::kReadWrite)
        ->save_predictions({{r.model, r.config, "graph-sum(test)", 0.0123, 4.5, 0.25, "dominated by a measured point"}},
                           store_test_host());
  }
  const auto all = edgejoule({"list", "--db", db_, "--json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out.find("m-sha-predicted"), std::string::npos) << all.out;
  const auto table = edgejoule({"list", "--db", db_, "--status", "PREDICTED"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("m-sha-predicted"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("PREDICTED"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("dominated by a measured point (+-25 %"), std::string::npos) << table.out;
  const auto json = edgejoule({"list", "--db", db_, "--status", "PREDICTED", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"predicted:graph-sum(test)\""), std::string::npos) << json.out;
  EXPECT_EQ(json.out.find("fmnist"), std::string::npos) << "measured points are not listed with predictions";
}

TEST_F(CliTest, FrontierFlagsAreRefusedWhereTheyMeanNothing) {
  const auto budgets = profile({"--zoo", kFmnistZoo, "--budgets", "0.1"});
  EXPECT_EQ(budgets.exit_code, 2);
  EXPECT_NE(budgets.err.find("--budgets, --round-size and --tolerance steer --strategy frontier"), std::string::npos) << budgets.err;
  const auto queue = edgejoule({"profile", "--zoo", kFmnistZoo, "--strategy", "frontier", "--queue", "q", "--enqueue",
                                "--db", db_});
  EXPECT_EQ(queue.exit_code, 2);
  EXPECT_NE(queue.err.find("--strategy frontier decides as points arrive"), std::string::npos) << queue.err;
  const auto bad = profile({"--zoo", kFmnistZoo, "--strategy", "greedy"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_FALSE(fs::exists(db_)) << "refused before the store was opened";
}

TEST_F(CliTest, ZooOpsListsAModelFilesOperators) {
  const auto r = edgejoule({"zoo", "ops", kZoo + "/tiny_cnn.pt", "--input-shape", "1,3,32,32", "--json",
                            (dir_ / "ops.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // conv+bn+relu | maxpool | conv+relu | avgpool | linear
  EXPECT_NE(r.out.find("\"kernels\": 5"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir_ / "ops.json"));
  const auto missing = edgejoule({"zoo", "ops", (dir_ / "none.pt").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.out, "");
  // A file that is not a model: its reader's sentence, then edgejoule's, exit 2.
  { std::ofstream((dir_ / "not_a_model.pt").string()) << "not a model"; }
  const auto bad = edgejoule({"zoo", "ops", (dir_ / "not_a_model.pt").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("could not read the operators of"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace edgejoule::testing
