// The frontier sweep's driver (orchestrate/frontier_sweep.cpp) end to end on a synthetic device: a real
// SQLite store, the real cost models and plan, and a "measure" that stores what a known energy
// law says. What it must do: find every model of the true frontier, measure a fraction of the
// grid, store every point it left unmeasured as a prediction and none it measured, and resume
// from the store (a second run measures nothing; an interrupted run, asked again, ends where an
// uninterrupted one does).

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "orchestrate/frontier_sweep.h"
#include "store/store.h"
#include "support/point_records.h"

namespace edgejoule {
namespace {

namespace fs = std::filesystem;

// 12 models whose accuracy rises with their cost, at 8 configurations that scale every model's
// energy alike (within a few per cent): 96 points.
struct World {
  std::vector<SweepItem> items;
  std::map<std::string, double> energy;  // model name + "|" + configuration key -> J per inference

  World() {
    const double ratio[2][2][2] = {{{1.0, 1.15}, {0.95, 1.1}}, {{2.1, 2.5}, {1.9, 2.3}}};  // engine, batch, threads
    for (int m = 0; m < 12; ++m) {
      ModelInfo model;
      model.name = "model" + std::to_string(m);
      model.family = "family" + std::to_string(m % 4);
      model.path = "/zoo/" + model.name + ".pt";
      model.content_sha256 = "sha-" + model.name;
      model.flops = static_cast<int64_t>(2e8 * (1 + m) * (1 + (m % 3) * 0.4));
      model.params = static_cast<int64_t>(1e6 * (2 + (m * 7) % 11));
      model.sample_shape = {3, 32, 32};
      model.top1 = 60 + 2.0 * m - ((m % 4 == 3) ? 5 : 0);  // every fourth model is off the frontier
      model.accuracy_source = "declared:test:weights";
      const double base = 0.01 * static_cast<double>(*model.flops) / 2e8;
      for (int e = 0; e < 2; ++e) {
        for (int b = 0; b < 2; ++b) {
          for (int t = 0; t < 2; ++t) {
            SweepItem item;
            item.model = model;
            item.config.engine = e == 0 ? "openvino" : "torchscript";
            item.config.device = "cpu";
            item.config.precision = "fp32";
            item.config.batch = b == 0 ? 1 : 4;
            item.config.threads = t + 1;
            item.config.sample_shape = model.sample_shape;
            const double wiggle = 1 + 0.03 * (((m * 5 + e * 3 + b * 2 + t) % 5) - 2) / 2.0;
            energy[model.name + "|" + item.config.key()] = base * ratio[e][b][t] * wiggle;
            items.push_back(item);
          }
        }
      }
    }
  }

  PointRecord measured(const SweepItem& item) const {
    PointRecord r = testing::point_record(item.model.content_sha256, item.config.batch);
    r.model = item.model;
    r.config = item.config;
    r.runtime.engine = item.config.engine;
    r.runtime.engine_version = "test 1";
    r.runtime.threads = item.config.threads;
    const double e = energy.at(item.model.name + "|" + item.config.key());
    EnergyResult energy_result;
    energy_result.meter = "estimate:cpu-time(core_w=10,base_w=0)";
    energy_result.provenance = "estimated:cpu-time";
    energy_result.energy_j_per_inference = summarize({e * 0.99, e, e * 1.01});
    energy_result.mean_power_w = summarize({10, 10, 10});
    r.result.energy = energy_result;
    // Latency per call in proportion: 10 W.
    const double ms = e / 10 * 1000 * item.config.batch;
    r.result.latency_ms = summarize({ms * 0.98, ms, ms * 1.02});
    return r;
  }

  // The models of the true frontier: each model at its cheapest configuration, then the Pareto
  // front of accuracy against that energy.
  std::set<std::string> frontier_models() const {
    std::map<std::string, std::pair<double, double>> best;  // name -> (energy, top1)
    for (const auto& item : items) {
      const double e = energy.at(item.model.name + "|" + item.config.key());
      auto it = best.find(item.model.name);
      if (it == best.end() || e < it->second.first) best[item.model.name] = {e, *item.model.top1};
    }
    std::set<std::string> out;
    for (const auto& [name, a] : best) {
      bool beaten = false;
      for (const auto& [other, b] : best) {
        beaten = beaten || (other != name && b.second >= a.second && b.first <= a.first &&
                            (b.second > a.second || b.first < a.first));
      }
      if (!beaten) out.insert(name);
    }
    return out;
  }
};

class FrontierSweep : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    path_ = (fs::path(::testing::TempDir()) / ("frontier_sweep_" + name + ".db")).string();
    fs::remove(path_);
    store_ = open_store(path_, OpenMode::kReadWrite);
  }
  // Measures each point of a round into the store; stops (as an interrupt does) after
  // `budget` points when given one.
  MeasureRound measure(size_t* count, std::optional<size_t> budget = std::nullopt) {
    return [this, count, budget](const std::vector<SweepItem>& round) {
      SweepOutcome outcome;
      for (const auto& item : round) {
        if (budget && *count >= *budget) {
          outcome.interrupted = true;
          break;
        }
        store_->save_point(world_.measured(item), host_, false);
        ++outcome.measured;
        ++*count;
      }
      return outcome;
    };
  }
  std::set<std::string> stored_keys() {
    std::set<std::string> out;
    for (const auto& r : store_->rows({})) out.insert(r.model + "|" + configuration_of(r).key());
    return out;
  }

  World world_;
  HostInfo host_ = testing::store_test_host("device");
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(FrontierSweep, FindsTheFrontierMeasuringAFractionAndStoresTheRestAsPredictions) {
  size_t count = 0;
  FrontierSweepSettings settings;
  std::FILE* progress = std::tmpfile();
  ASSERT_NE(progress, nullptr);
  settings.progress = progress;
  const FrontierSweepResult result = run_frontier_sweep(world_.items, *store_, host_, measure(&count), settings);
  ASSERT_TRUE(result.settled);
  // One line per round, then what it measures and why.
  std::rewind(progress);
  std::string lines;
  for (int c = std::fgetc(progress); c != EOF; c = std::fgetc(progress)) lines += static_cast<char>(c);
  std::fclose(progress);
  EXPECT_NE(lines.find("frontier round 1: 0 of 96 grid point(s) stored"), std::string::npos) << lines;
  EXPECT_NE(lines.find("(anchor)"), std::string::npos);
  EXPECT_NE(lines.find("(predicted "), std::string::npos);
  EXPECT_EQ(lines.find("frontier round " + std::to_string(result.rounds + 1) + ":"), std::string::npos)
      << "no line for a round that was not measured";
  EXPECT_EQ(result.planned, 96u);
  EXPECT_EQ(count + result.skipped.size(), 96u);
  EXPECT_LT(count, 96u / 2) << "measured half the grid or more";
  const auto stored = stored_keys();
  std::set<std::string> measured_models;
  for (const auto& key : stored) measured_models.insert(key.substr(0, key.find('|')));
  for (const auto& name : world_.frontier_models()) EXPECT_TRUE(measured_models.count(name)) << name;
  // Every point it left is stored as a prediction, none it measured.
  const auto predicted = store_->predictions({});
  EXPECT_EQ(predicted.size(), result.skipped.size());
  for (const auto& p : predicted) {
    EXPECT_FALSE(stored.count(p.row.model + "|" + configuration_of(p.row).key())) << p.row.model;
    EXPECT_EQ(p.row.status, Verdict::kPredicted);
    EXPECT_GT(p.margin, 0.0);
  }
}

TEST_F(FrontierSweep, ResumesFromTheStore) {
  size_t whole = 0;
  run_frontier_sweep(world_.items, *store_, host_, measure(&whole), {});
  const auto uninterrupted = stored_keys();
  // Asked again: nothing left to measure.
  size_t again = 0;
  const auto second = run_frontier_sweep(world_.items, *store_, host_, measure(&again), {});
  EXPECT_TRUE(second.settled);
  EXPECT_EQ(again, 0u);
  EXPECT_EQ(second.rounds, 0u);
  // Interrupted after 20 points in a fresh store, then asked again: the same points in the end.
  store_.reset();
  fs::remove(path_);
  store_ = open_store(path_, OpenMode::kReadWrite);
  size_t first_part = 0;
  const auto interrupted = run_frontier_sweep(world_.items, *store_, host_, measure(&first_part, 20), {});
  EXPECT_TRUE(interrupted.outcome.interrupted);
  EXPECT_FALSE(interrupted.settled);
  EXPECT_TRUE(store_->predictions({}).empty()) << "an unsettled sweep stores no predictions";
  size_t rest = 0;
  const auto resumed = run_frontier_sweep(world_.items, *store_, host_, measure(&rest), {});
  EXPECT_TRUE(resumed.settled);
  EXPECT_EQ(first_part + rest, whole);
  EXPECT_EQ(stored_keys(), uninterrupted);
}

}  // namespace
}  // namespace edgejoule
