// The OpenCV DNN engine on real ONNX exports, and the cross-check against LibTorch: the same
// weights on the same input must give the same outputs within the fp32 tolerance.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "engines/engine.h"
#include "engines/registry.h"
#include "engines/output_check.h"
#include "zoo/manifest.h"

namespace edgejoule {
namespace {

const std::string kTinyZoo = EDGEJOULE_TINY_ZOO;
const std::string kCrossCheckZoo = EDGEJOULE_CROSSCHECK_ZOO;
const std::string kFixtures = EDGEJOULE_TEST_FIXTURES;

TEST(OpenCvEngine, RunsAnOnnxExportAtSeveralBatchSizesWithItsThreads) {
  auto engine = make_engine("opencv");
  EngineOptions options;
  options.threads = 1;
  engine->load(kTinyZoo + "/tiny_cnn.onnx", options);
  for (int64_t batch : {1, 4}) {
    engine->prepare({batch, 3, 32, 32});
    engine->run();
  }
  const auto rt = engine->runtime();
  EXPECT_EQ(rt.engine, "opencv");
  EXPECT_EQ(rt.threads, 1);
  EXPECT_EQ(rt.backend, "OPENCV/CPU");
  EXPECT_NE(rt.engine_version.find("opencv 4."), std::string::npos);
  const auto listed = find_engine("opencv").hooks().here().backends;
  EXPECT_NE(std::find(listed.begin(), listed.end(), "OPENCV/CPU"), listed.end());
}

TEST(OpenCvEngine, PrecisionsAndDevicesItCannotRunAreUnsupportedNotCrashes) {
  EngineOptions options;
  for (const char* precision : {"fp16", "bf16"}) {
    options.precision = precision;
    try {
      make_engine("opencv")->load(kTinyZoo + "/tiny_cnn.onnx", options);
      ADD_FAILURE() << precision << " accepted";
    } catch (const UnsupportedError& e) {
      EXPECT_NE(std::string(e.what()).find("computes in fp32, and in int8 the zoo's QDQ files"), std::string::npos)
          << e.what();
    }
  }
  // int8 is a QDQ file: an fp32 one is the user's mistake, in one sentence.
  options.precision = "int8";
  try {
    make_engine("opencv")->load(kTinyZoo + "/tiny_cnn.onnx", options);
    ADD_FAILURE() << "an fp32 file loaded at int8";
  } catch (const UnsupportedError& e) {
    ADD_FAILURE() << "stored as UNSUPPORTED instead of the user's error: " << e.what();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has no quantised operation"), std::string::npos) << e.what();
  }
  options.precision = "fp32";
  options.device = "cuda";
  EXPECT_THROW(make_engine("opencv")->load(kTinyZoo + "/tiny_cnn.onnx", options), UnsupportedError);
}

TEST(OpenCvEngine, AGraphItCannotImportIsUnsupportedWithTheImportersReason) {
  // torch 1.13's exporter writes Identity nodes on constants; OpenCV 4.6 rejects them (the zoo
  // build inlines them; this fixture keeps one).
  try {
    make_engine("opencv")->load(kFixtures + "/onnx/identity_constant.onnx", EngineOptions{});
    ADD_FAILURE() << "imported";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("Node [Identity@ai.onnx]"), std::string::npos) << e.what();
  }
}

TEST(OpenCvEngine, AFileThatIsNotOnnxIsTheUsersErrorNamingTheFile) {
  const auto path = std::filesystem::temp_directory_path() / "edgejoule-garbage.onnx";
  std::ofstream(path) << "this is not a protobuf at all";
  try {
    make_engine("opencv")->load(path, EngineOptions{});
    ADD_FAILURE() << "loaded";
  } catch (const UnsupportedError& e) {
    ADD_FAILURE() << "reported as unsupported: " << e.what();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is not a readable ONNX model"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), exit_code::kBadInput);
  }
  std::filesystem::remove(path);
}

// Four torchvision architectures, each needing one of the zoo build's ONNX fixes (Identity
// constants, opset 10, a fixed batch at opset 9): OpenCV's outputs match LibTorch's.
TEST(EngineCrossCheck, OpenCvAndLibTorchAgreeOnFourArchitectures) {
  const auto models = load_manifest(kCrossCheckZoo);
  ASSERT_EQ(models.size(), 4u);
  for (const auto& model : models) {
    SCOPED_TRACE(model.name);
    ModelInfo onnx = model;
    ASSERT_EQ(select_engine_file(onnx, "opencv", 1), "");
    EngineOptions options;
    options.threads = 2;
    auto reference = make_engine("torchscript");
    reference->load(model.files.at("torchscript"), options);
    auto other = make_engine("opencv");
    other->load(onnx.path, options);
    std::vector<int64_t> shape{1};
    shape.insert(shape.end(), model.sample_shape.begin(), model.sample_shape.end());
    const auto c = compare_engines(*reference, *other, shape, "fp32");
    EXPECT_LE(c.max_rel_diff, output_tolerance("fp32"));
    EXPECT_EQ(c.top1_agreement, 1.0);
    EXPECT_TRUE(c.agrees());
    // Not vacuous: the outputs are not all zero and the comparison sees a difference scale.
    EXPECT_GT(c.max_abs_diff, 0.0);
  }
}

TEST(EngineCrossCheck, TheZooBuildRecordedTheCheckInTheManifest) {
  const auto text = read_file(kCrossCheckZoo + "/zoo.json");
  ASSERT_TRUE(text);
  const auto doc = nlohmann::json::parse(*text);
  int checked = 0;
  for (const auto& entry : doc["models"]) {
    SCOPED_TRACE(entry["name"].get<std::string>());
    ASSERT_TRUE(entry.contains("engines"));
    const auto& check = entry["engines"]["opencv"];
    EXPECT_TRUE(check["runs"].get<bool>());
    EXPECT_LE(check["max_rel_diff_vs_torchscript"].get<double>(), 1e-4);
    EXPECT_TRUE(check["top1_agrees_with_torchscript"].get<bool>());
    EXPECT_EQ(check["file_sha256"], entry["sha256"]["onnx"]);
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(EngineCrossCheck, AFixedBatchExportIsUnsupportedAtOtherBatchSizes) {
  for (const auto& model : load_manifest(kCrossCheckZoo)) {
    if (model.name != "shufflenet_v2_x0_5") continue;
    ModelInfo at8 = model;
    EXPECT_NE(select_engine_file(at8, "opencv", 8).find("takes batch 1 only"), std::string::npos);
    EXPECT_EQ(at8.format, "onnx");  // the UNSUPPORTED point is about the ONNX file
    ModelInfo at1 = model;
    EXPECT_EQ(select_engine_file(at1, "opencv", 1), "");
    EXPECT_EQ(at1.format, "onnx");
    return;
  }
  FAIL() << "shufflenet_v2_x0_5 not in the cross-check zoo";
}

}  // namespace
}  // namespace edgejoule
