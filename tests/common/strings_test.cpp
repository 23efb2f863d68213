#include "common/strings.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace edgejoule {
namespace {

TEST(Strings, JoinPutsTheSeparatorOnlyBetween) {
  EXPECT_EQ(join({}, ", "), "");
  EXPECT_EQ(join({"a"}, ", "), "a");
  EXPECT_EQ(join({"a", "b", "c"}, "+"), "a+b+c");
  EXPECT_EQ(join(split("x,y", ','), "; "), "x; y");
}

TEST(Strings, ParseIntIsStrict) {
  EXPECT_EQ(parse_int("42"), 42);
  EXPECT_EQ(parse_int(" -7 "), -7);
  EXPECT_FALSE(parse_int("4x"));
  EXPECT_FALSE(parse_int(""));
  EXPECT_FALSE(parse_int("99999999999999999999999"));
}

TEST(Strings, ParseDoubleRejectsJunkAndInfinity) {
  EXPECT_DOUBLE_EQ(*parse_double("1.5"), 1.5);
  EXPECT_FALSE(parse_double("1.5W"));
  EXPECT_FALSE(parse_double("inf"));
  EXPECT_FALSE(parse_double("nan"));
}

TEST(Strings, ShapesRoundTrip) {
  EXPECT_EQ(parse_shape("1x3x224x224", "shape"), (std::vector<int64_t>{1, 3, 224, 224}));
  EXPECT_EQ(format_shape({1, 3, 224, 224}), "1x3x224x224");
  EXPECT_THROW(parse_shape("1x0x2", "shape"), Error);
  EXPECT_THROW(parse_shape("1xx2", "shape"), Error);
  EXPECT_THROW(parse_shape("", "shape"), Error);
}

TEST(Strings, SplitKeepsEmptyFields) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(trim("  x \n"), "x");
}

TEST(Strings, CaseConversionIsAscii) {
  EXPECT_EQ(to_upper("vdd_in"), "VDD_IN");
  EXPECT_EQ(to_lower("GPU.0"), "gpu.0");
  EXPECT_EQ(to_lower(".JPG"), ".jpg");
}

}  // namespace
}  // namespace edgejoule
