// Comparing two engines' outputs on known numbers (no engine library).
#include "engines/output_check.h"

#include <gtest/gtest.h>

#include "common/error.h"

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

}  // namespace
}  // namespace edgejoule
