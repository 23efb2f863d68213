// The engine and the scenario as knobs: the faster and the cheaper engine per model and
// configuration, and each scenario against single-stream, on known numbers.
#include "recommend/comparisons.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/config_fields.h"
#include "report/writers.h"

namespace edgejoule {
namespace {

ResultRow row(const std::string& model, const std::string& engine, int batch, double p50_ms, double energy_j,
              const std::string& status = "VALID") {
  ResultRow r;
  r.model = model;
  r.engine = engine;
  r.device = "cpu";
  r.precision = "fp32";
  r.batch = batch;
  r.threads = 2;
  r.host_fingerprint = "h";
  r.status = *verdict_from_string(status);
  r.latency_ms_p50 = p50_ms;
  r.energy_j_per_inference = energy_j;
  r.energy_provenance = "measured:rapl:package-0";
  return r;
}

TEST(EngineComparison, TheFasterAndTheCheaperEnginePerModelAndConfiguration) {
  const std::vector<ResultRow> rows = {
      row("resnet18", "torchscript", 1, 13.0, 0.20), row("resnet18", "opencv", 1, 25.0, 0.30),
      // faster but costlier: the two answers can differ
      row("squeezenet", "torchscript", 1, 8.2, 0.10), row("squeezenet", "opencv", 1, 5.8, 0.12),
      // one engine only: nothing to compare
      row("vit", "torchscript", 1, 190.0, 2.0),
      // an INVALID point does not take part
      row("alexnet", "torchscript", 1, 10.0, 0.1), row("alexnet", "opencv", 1, 5.0, 0.05, "INVALID"),
      // another batch is another configuration
      row("resnet18", "opencv", 8, 100.0, 0.15)};
  const auto c = compare_engines_per_model(rows);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].model, "resnet18");
  EXPECT_EQ(c[0].configuration, "cpu fp32 b1 t2");
  EXPECT_EQ(c[0].fastest, "torchscript");
  EXPECT_NEAR(c[0].speedup, 25.0 / 13.0, 1e-12);
  EXPECT_EQ(c[0].lowest_energy, "torchscript");
  EXPECT_EQ(c[1].model, "squeezenet");
  EXPECT_EQ(c[1].fastest, "opencv");
  EXPECT_EQ(c[1].lowest_energy, "torchscript");
  EXPECT_EQ(c[1].energy_provenance, "measured:rapl:package-0");
  std::ostringstream out;
  write_engine_comparison(out, c);
  EXPECT_NE(out.str().find("squeezenet cpu fp32 b1 t2: torchscript 8.200 ms 100.000 mJ | opencv 5.800 ms "
                           "120.000 mJ -> faster: opencv (1.41x), less energy: torchscript (measured:rapl:package-0)"),
            std::string::npos)
      << out.str();
}

TEST(ScenarioComparison, EachScenarioAgainstSingleStreamWithinOneConfiguration) {
  std::vector<ResultRow> rows = {row("resnet18", "openvino", 1, 10.0, 0.20), row("resnet18", "openvino", 1, 30.0, 0.10),
                                 row("resnet18", "torchscript", 1, 12.0, 0.25)};
  rows[0].throughput_sps = 100;
  rows[1].throughput_sps = 130;
  rows[1].knobs["scenario"] = "offline";
  rows[1].requests_in_flight = 4;
  rows[2].throughput_sps = 80;  // one scenario only: nothing to compare
  const auto c = compare_scenarios(rows);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].label, "resnet18 openvino cpu fp32 b1 t2");
  ASSERT_EQ(c[0].entries.size(), 2u);
  EXPECT_EQ(c[0].entries[0].scenario, "single-stream");
  EXPECT_FALSE(c[0].entries[0].relative_to_single_stream);
  EXPECT_EQ(c[0].entries[1].scenario, "offline x4");
  EXPECT_NEAR(*c[0].entries[1].relative_to_single_stream, 0.5, 1e-12);
  std::ostringstream out;
  write_scenario_comparison(out, c);
  EXPECT_NE(out.str().find("resnet18 openvino cpu fp32 b1 t2: single-stream 200.000 mJ 100.0/s | offline x4 100.000 mJ "
                           "130.0/s (0.50x) (measured:rapl:package-0)"),
            std::string::npos)
      << out.str();
}

}  // namespace
}  // namespace edgejoule
