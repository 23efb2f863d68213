#include "report/writers.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <fstream>
#include <sstream>

#include "common/strings.h"

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
  valid.status = Verdict::kValid;
  valid.repetitions = 3;
  valid.iterations = 120;
  valid.latency_ms_p50 = 23.007;
  valid.latency_ms_p99 = 28.282;
  valid.window_latency_ms_cv = 0.019;
  valid.throughput_sps = 42.8;
  valid.top1 = 69.758;
  valid.accuracy_source = "declared:torchvision-0.14.1:ResNet18_Weights.IMAGENET1K_V1";
  valid.meter = "estimate:cpu-time(core_w=10,base_w=0)";
  valid.energy_provenance = "estimated:cpu-time";
  valid.energy_j_per_inference = 0.4386;
  valid.mean_power_w = 19.94;
  valid.accuracy_per_joule = 0.69758 / 0.4386;
  ResultRow unsupported = valid;
  unsupported.point_id = 2;
  unsupported.device = "cuda";
  unsupported.status = Verdict::kUnsupported;
  unsupported.reason = "device cuda is not available";
  unsupported.latency_ms_p50.reset();
  unsupported.latency_ms_p99.reset();
  unsupported.window_latency_ms_cv.reset();
  unsupported.throughput_sps.reset();
  unsupported.energy_j_per_inference.reset();
  unsupported.mean_power_w.reset();
  unsupported.accuracy_per_joule.reset();
  unsupported.meter.clear();
  unsupported.energy_provenance.clear();
  return {valid, unsupported};
}

// Golden output: the table is what users read and what the README shows.
TEST(TableWriter, GoldenOutput) {
  std::ostringstream out;
  write_table(out, sample_rows());
  const std::string expected =
      "model     engine       device  prec  batch  threads  p50_ms  p99_ms  cv_%  samples/s     mJ/inf      W  top1_%  acc/J  status\n"
      "resnet18  torchscript  cpu     fp32      1        2  23.007  28.282   1.9       42.8  438.600 e  19.94  69.8 d   1.59  VALID\n"
      "resnet18  torchscript  cuda    fp32      1        2       -       -     -          -          -      -  69.8 d      -  UNSUPPORTED [1]\n"
      "latency is per forward call of `batch` samples; cv_% is the window-to-window spread;\n"
      "mJ/inf is energy per inference (one sample), W the mean power during the windows\n"
      "mJ/inf: m = measured, e = ESTIMATED; from estimated:cpu-time (estimate:cpu-time(core_w=10,base_w=0))\n"
      "top1_%: d = declared, m = measured; from declared:torchvision-0.14.1 (per-model source in --json); acc/J = top-1 accuracy / joules per inference\n"
      "[1] resnet18 torchscript cuda fp32 b1 t2: device cuda is not available\n";
  EXPECT_EQ(out.str(), expected);
}

// A configuration field gets a column only where some row is not at its default, and the platform
// setting only where some row has one; the packed "prec" of before is the precision alone.
TEST(TableWriter, ColumnsForTheFieldsTheRowsVary) {
  auto rows = sample_rows();
  rows[0].engine = rows[1].engine = "openvino";
  rows[1].device = "cpu";
  rows[1].knobs = {{"ov_hint", "throughput"}, {"scenario", "offline"}, {"concurrency", "auto"}};
  rows[1].platform = "cpu_governor=performance";
  std::ostringstream out;
  write_table(out, rows);
  const std::string text = out.str();
  const std::string header = text.substr(0, text.find('\n'));
  EXPECT_EQ(header,
            "model     engine    device  prec  ov_hint     scenario       concurrency  platform                  batch  "
            "threads  p50_ms  p99_ms  cv_%  samples/s     mJ/inf      W  top1_%  acc/J  status");
  EXPECT_NE(text.find("resnet18  openvino  cpu     fp32  latency     single-stream  -            -                 "),
            std::string::npos) << text;
  // A field the row's engine does not honour says nothing there.
  rows[0].engine = "torchscript";
  std::ostringstream other;
  write_table(other, rows);
  EXPECT_NE(other.str().find("resnet18  torchscript  cpu     fp32  -           single-stream  -"), std::string::npos)
      << other.str();
  EXPECT_NE(text.find("resnet18  openvino  cpu     fp32  throughput  offline        auto         cpu_governor=performance"),
            std::string::npos) << text;
  // The sample rows at their defaults have no such column (the golden table above).
  std::ostringstream plain;
  write_table(plain, sample_rows());
  EXPECT_EQ(plain.str().find("ov_hint"), std::string::npos);
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
  EXPECT_DOUBLE_EQ(doc[0]["energy"]["j_per_inference"].get<double>(), 0.4386);
  EXPECT_EQ(doc[0]["energy"]["provenance"], "estimated:cpu-time");
  EXPECT_TRUE(doc[0]["accuracy_per_joule"].is_number());
  EXPECT_TRUE(doc[1]["latency_ms"]["p50"].is_null());
  EXPECT_TRUE(doc[1]["energy"]["j_per_inference"].is_null());
  EXPECT_EQ(doc[1]["status"], "UNSUPPORTED");
  EXPECT_EQ(doc[1]["reason"], "device cuda is not available");
}

// Golden files under tests/fixtures/golden; EDGEJOULE_UPDATE_GOLDEN=1 rewrites them (review the diff).
void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(EDGEJOULE_TEST_FIXTURES) + "/golden/" + name;
  if (const char* update = std::getenv("EDGEJOULE_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
  }
  const auto expected = read_file(path);
  ASSERT_TRUE(expected) << "missing golden file " << path;
  EXPECT_EQ(actual, *expected) << "differs from " << path;
}

TEST(ExportWriters, CsvGolden) {
  std::ostringstream out;
  write_csv(out, sample_rows());
  expect_golden("export.csv", out.str());
  // The meter's name holds commas: quoted, so every line has the header's field count.
  EXPECT_NE(out.str().find("\"estimate:cpu-time(core_w=10,base_w=0)\""), std::string::npos);
}

TEST(ExportWriters, MarkdownGolden) {
  std::ostringstream out;
  auto rows = sample_rows();
  rows[1].reason = "a | pipe\nand a line break";  // neither may break the table
  write_markdown(out, rows);
  expect_golden("export.md", out.str());
}

TEST(ExportWriters, JsonGolden) {
  std::ostringstream out;
  write_json(out, sample_rows());
  expect_golden("export.json", out.str());
}

}  // namespace
}  // namespace edgejoule
