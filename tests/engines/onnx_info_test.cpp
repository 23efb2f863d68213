#include <gtest/gtest.h>

#include "common/strings.h"
#include "engines/onnx_info.h"

namespace edgejoule {
namespace {

const std::string kFixtures = EDGEJOULE_TEST_FIXTURES;

// The fixture's graph takes one input "input" of shape [batch, 4] (written by python3-onnx).
TEST(OnnxInfo, ReadsTheDeclaredInputShapeWithSymbolicDimensions) {
  const auto shape = onnx_input_shape(kFixtures + "/onnx/identity_constant.onnx");
  ASSERT_TRUE(shape);
  EXPECT_EQ(*shape, (std::vector<int64_t>{-1, 4}));
  EXPECT_TRUE(shape_fits({8, 4}, *shape));
  EXPECT_FALSE(shape_fits({8, 5}, *shape));
  EXPECT_FALSE(shape_fits({8, 4, 1}, *shape));
}

// Counting a graph's operators tells a QDQ-quantised file (QuantizeLinear nodes) from an fp32 one.
TEST(OnnxInfo, CountsTheMainGraphsNodesOfAnOperator) {
  const std::string path = kFixtures + "/onnx/identity_constant.onnx";
  const auto identities = onnx_op_count(path, "Identity");
  ASSERT_TRUE(identities);
  EXPECT_GE(*identities, 1u);
  EXPECT_EQ(onnx_op_count(path, "QuantizeLinear"), std::optional<size_t>(0));
  EXPECT_FALSE(onnx_op_count(kFixtures + "/onnx/missing.onnx", "Identity"));
  EXPECT_FALSE(onnx_op_count_of("", "Identity"));
  const std::string whole = read_file(path).value();
  for (size_t cut = 0; cut < whole.size(); cut += 7) (void)onnx_op_count_of(whole.substr(0, cut), "Identity");
}

TEST(OnnxInfo, AnythingElseGivesNoShapeNotACrash) {
  EXPECT_FALSE(onnx_input_shape(kFixtures + "/onnx/missing.onnx"));
  EXPECT_FALSE(onnx_input_shape_of("this is not protobuf"));
  EXPECT_FALSE(onnx_input_shape_of(""));
  const std::string whole = read_file(kFixtures + "/onnx/identity_constant.onnx").value();
  for (size_t cut = 0; cut < whole.size(); cut += 7) (void)onnx_input_shape_of(whole.substr(0, cut));
}

}  // namespace
}  // namespace edgejoule
