// Comparing two engines' outputs, and picking the faster / cheaper engine per model, on
// known numbers (no engine library).
#include "engines/output_check.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "report/writers.h"

namespace edgejoule {
namespace {

TEST(OutputCheck, RelativeDifferenceIsScaledByTheReferenceAndTop1IsPerSample) {
  // Two samples of three classes; the reference's largest magnitude is 4.
  const std::vector<float> reference = {1.0f, 4.0f, -2.0f, 0.5f, 0.25f, 3.0f};
  std::vector<float> close = reference;
  close[1] += 4e-5f;  // 1e-5 relative: within fp32's 1e-4
  auto c = compare_outputs(reference, close, 2, 3, "fp32");
  EXPECT_NEAR(c.max_rel_diff, 1e-5, 1e-7);
  EXPECT_EQ(c.top1_agreement, 1.0);
  EXPECT_TRUE(c.agrees());

  std::vector<float> flipped = reference;
  flipped[3] = 5.0f;  // sample 2's top-1 changes, and the difference is 4.5 / 4
  c = compare_outputs(reference, flipped, 2, 3, "fp32");
  EXPECT_DOUBLE_EQ(c.top1_agreement, 0.5);
  EXPECT_NEAR(c.max_rel_diff, 4.5 / 4.0, 1e-6);
  EXPECT_FALSE(c.agrees());
}

TEST(OutputCheck, TolerancesArePerPrecision) {
  EXPECT_DOUBLE_EQ(output_tolerance("fp32"), 1e-4);
  EXPECT_DOUBLE_EQ(output_tolerance("fp16"), 5e-2);
  EXPECT_DOUBLE_EQ(output_tolerance("bf16"), 5e-2);
  EXPECT_DOUBLE_EQ(output_tolerance("int8"), 0.25);
  EXPECT_THROW(output_tolerance("fp8"), Error);
  // A 1 % difference agrees in bf16, not in fp32.
  const std::vector<float> reference = {1.0f, 2.0f};
  const std::vector<float> other = {1.0f, 2.02f};
  EXPECT_FALSE(compare_outputs(reference, other, 1, 2, "fp32").agrees());
  EXPECT_TRUE(compare_outputs(reference, other, 1, 2, "bf16").agrees());
}

TEST(OutputCheck, OutputsOfDifferentSizesAreRefused) {
  EXPECT_THROW(compare_outputs({1.0f, 2.0f}, {1.0f}, 1, 2, "fp32"), Error);
}

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
  write_engine_comparison(out, rows);
  EXPECT_NE(out.str().find("squeezenet cpu fp32 b1 t2: torchscript 8.200 ms 100.000 mJ | opencv 5.800 ms "
                           "120.000 mJ -> faster: opencv (1.41x), less energy: torchscript (measured:rapl:package-0)"),
            std::string::npos)
      << out.str();
}

}  // namespace
}  // namespace edgejoule
