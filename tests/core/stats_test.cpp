#include "core/stats.h"

#include <gtest/gtest.h>

#include <cmath>

namespace edgejoule {
namespace {

TEST(Stats, PercentilesInterpolateLikeNumpy) {
  // numpy.percentile([1..10], [50, 90, 99]) = 5.5, 9.1, 9.91
  std::vector<double> v{10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  const Summary s = summarize(v);
  EXPECT_DOUBLE_EQ(s.p50, 5.5);
  EXPECT_NEAR(s.p90, 9.1, 1e-12);
  EXPECT_NEAR(s.p99, 9.91, 1e-12);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
}

TEST(Stats, SampleStddevCvAndConfidenceInterval) {
  const Summary s = summarize({2, 4, 4, 4, 5, 5, 7, 9});
  ASSERT_TRUE(s.stddev && s.cv && s.ci95_half_width);
  EXPECT_NEAR(*s.stddev, 2.138089935, 1e-9);  // sqrt(32/7)
  EXPECT_NEAR(*s.cv, 2.138089935 / 5.0, 1e-9);
  EXPECT_NEAR(*s.ci95_half_width, 2.365 * 2.138089935 / std::sqrt(8.0), 1e-9);
}

TEST(Stats, SpreadIsAbsentWithFewerThanTwoValues) {
  const Summary one = summarize({3.0});
  EXPECT_EQ(one.count, 1u);
  EXPECT_DOUBLE_EQ(one.p99, 3.0);
  EXPECT_FALSE(one.stddev);
  EXPECT_FALSE(one.cv);
  EXPECT_FALSE(one.ci95_half_width);
  EXPECT_EQ(summarize({}).count, 0u);
}

TEST(Stats, StudentTQuantiles) {
  EXPECT_DOUBLE_EQ(student_t_975(1), 12.706);
  EXPECT_DOUBLE_EQ(student_t_975(2), 4.303);
  EXPECT_DOUBLE_EQ(student_t_975(30), 2.042);
  EXPECT_DOUBLE_EQ(student_t_975(1000), 1.960);
  EXPECT_GT(student_t_975(45), 2.0);
  EXPECT_LT(student_t_975(45), 2.042);
}

}  // namespace
}  // namespace edgejoule
