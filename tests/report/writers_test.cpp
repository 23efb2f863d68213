#include "report/writers.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace edgejoule {
namespace {

std::vector<ResultRow> sample_rows() {
  ResultRow valid;
  valid.point_id = 1;
  valid.model = "resnet18";
  valid.family = "resnet";
  valid.params = 11689512;
  valid.engine = "torchscript";
  valid.device = "cpu";
  valid.precision = "fp32";
  valid.batch = 1;
  valid.threads = 2;
  valid.sample_shape = "3x224x224";
  valid.status = "VALID";
  valid.repetitions = 3;
  valid.iterations = 120;
  valid.latency_ms_p50 = 23.007;
  valid.latency_ms_p99 = 28.282;
  valid.window_latency_ms_cv = 0.019;
  valid.throughput_sps = 42.8;
  valid.top1 = 69.758;
  valid.accuracy_source = "declared:torchvision-0.14.1:ResNet18_Weights.IMAGENET1K_V1";
  ResultRow unsupported = valid;
  unsupported.point_id = 2;
  unsupported.device = "cuda";
  unsupported.status = "UNSUPPORTED";
  unsupported.reason = "device cuda is not available";
  unsupported.latency_ms_p50.reset();
  unsupported.latency_ms_p99.reset();
  unsupported.window_latency_ms_cv.reset();
  unsupported.throughput_sps.reset();
  return {valid, unsupported};
}

// Golden output: the table is what users read and what the README shows.
TEST(TableWriter, GoldenOutput) {
  std::ostringstream out;
  write_table(out, sample_rows());
  const std::string expected =
      "model     params_M  engine       device  prec  batch  threads  p50_ms  p99_ms  cv_%  samples/s  top1_%  status\n"
      "resnet18     11.69  torchscript  cpu     fp32      1        2  23.007  28.282   1.9       42.8  69.8 d  VALID\n"
      "resnet18     11.69  torchscript  cuda    fp32      1        2       -       -     -          -  69.8 d  UNSUPPORTED [1]\n"
      "latency is per forward call of `batch` samples; cv_% is the window-to-window spread\n"
      "top1_%: d = declared, m = measured; from declared:torchvision-0.14.1 (per-model source in --json)\n"
      "[1] resnet18 torchscript b1 t2: device cuda is not available\n";
  EXPECT_EQ(out.str(), expected);
}

TEST(TableWriter, EmptyStoreSaysWhatToDo) {
  std::ostringstream out;
  write_table(out, {});
  EXPECT_EQ(out.str(), "no points stored yet: run 'edgejoule profile'\n");
}

TEST(JsonWriter, NumbersAreNumbersAndMissingFiguresAreNull) {
  std::ostringstream out;
  write_json(out, sample_rows());
  const auto doc = nlohmann::json::parse(out.str());
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_TRUE(doc[0]["latency_ms"]["p50"].is_number_float());
  EXPECT_DOUBLE_EQ(doc[0]["latency_ms"]["p50"].get<double>(), 23.007);
  EXPECT_EQ(doc[0]["config"]["batch"].get<int>(), 1);
  EXPECT_EQ(doc[0]["accuracy"]["provenance"],
            "declared:torchvision-0.14.1:ResNet18_Weights.IMAGENET1K_V1");
  EXPECT_TRUE(doc[1]["latency_ms"]["p50"].is_null());
  EXPECT_EQ(doc[1]["status"], "UNSUPPORTED");
  EXPECT_EQ(doc[1]["reason"], "device cuda is not available");
}

}  // namespace
}  // namespace edgejoule
