#include "zoo/manifest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/sha256.h"

namespace edgejoule {
namespace {

const char* kGood = R"({
  "format_version": 1,
  "models": [
    {"name": "resnet18", "family": "resnet", "files": {"torchscript": "resnet18.pt"},
     "input_shape": [1, 3, 224, 224], "params": 11689512,
     "accuracy": {"top1": 69.758, "top5": 89.078,
                  "source": "declared:torchvision-0.14.1:ResNet18_Weights.IMAGENET1K_V1"}},
    {"name": "onnx_only", "family": "x", "files": {"onnx": "x.onnx"}, "input_shape": [1, 3, 8, 8]}
  ]})";

TEST(Manifest, ParsesEntriesForAFormat) {
  const auto models = parse_manifest(kGood, "/zoo", "torchscript", "/zoo/zoo.json");
  ASSERT_EQ(models.size(), 1u);  // the ONNX-only entry is not for this engine
  const auto& m = models[0];
  EXPECT_EQ(m.name, "resnet18");
  EXPECT_EQ(m.family, "resnet");
  EXPECT_EQ(m.path, "/zoo/resnet18.pt");
  EXPECT_EQ(m.sample_shape, (std::vector<int64_t>{3, 224, 224}));
  EXPECT_EQ(m.params, 11689512);
  EXPECT_DOUBLE_EQ(*m.top1, 69.758);
  EXPECT_EQ(m.accuracy_source, "declared:torchvision-0.14.1:ResNet18_Weights.IMAGENET1K_V1");
}

TEST(Manifest, EveryFileOfAnEntryAndWhyAnEngineCannotRunIt) {
  const char* json = R"json({"models": [
    {"name": "a", "files": {"torchscript": "a.pt", "onnx": "a.onnx"}, "input_shape": [1, 3, 8, 8],
     "onnx_fixed_batch": 1},
    {"name": "b", "files": {"torchscript": "b.pt"}, "input_shape": [1, 3, 8, 8],
     "onnx_error": "SymbolicValueError: Unsupported"},
    {"name": "c", "files": {"torchscript": "c.pt", "onnx": "c.onnx"}, "input_shape": [1, 3, 8, 8],
     "engines": {"opencv": {"runs": false, "reason": "Node [Clip@ai.onnx] (expected: 1 input)"}}},
    {"name": "d", "files": {"onnx": "d.onnx"}, "input_shape": [1, 4]}
  ]})json";
  auto models = parse_manifest(json, "/zoo", "/zoo/zoo.json");
  ASSERT_EQ(models.size(), 4u);
  // The reference file is TorchScript where there is one.
  EXPECT_EQ(models[0].path, "/zoo/a.pt");
  EXPECT_EQ(models[0].files.at("onnx"), "/zoo/a.onnx");
  EXPECT_EQ(models[3].format, "onnx");

  ModelInfo a = models[0];
  EXPECT_EQ(select_engine_file(a, "opencv", 1), "");
  EXPECT_EQ(a.path, "/zoo/a.onnx");
  EXPECT_EQ(a.format, "onnx");
  ModelInfo a8 = models[0];
  EXPECT_NE(select_engine_file(a8, "opencv", 8).find("takes batch 1 only"), std::string::npos);
  EXPECT_EQ(a8.path, "/zoo/a.onnx");  // the point is about that file, which cannot take batch 8
  EXPECT_EQ(select_engine_file(a8, "torchscript", 8), "");  // only the ONNX file is fixed
  EXPECT_EQ(a8.path, "/zoo/a.pt");

  ModelInfo b = models[1];
  EXPECT_EQ(select_engine_file(b, "opencv"), "no onnx export (SymbolicValueError: Unsupported)");
  EXPECT_EQ(b.path, "/zoo/b.pt");  // no file for the engine: the reference file keeps the point
  ModelInfo c = models[2];
  EXPECT_EQ(select_engine_file(c, "opencv"),
            "the zoo build found opencv cannot run it: Node [Clip@ai.onnx] (expected: 1 input)");
  EXPECT_EQ(c.path, "/zoo/c.onnx");
  ModelInfo d = models[3];
  EXPECT_NE(select_engine_file(d, "torchscript").find("no torchscript file"), std::string::npos);
  EXPECT_THROW(select_engine_file(d, "tensorrt"), Error);

  // The per-format view keeps the entries with that file.
  EXPECT_EQ(parse_manifest(json, "/zoo", "onnx", "/zoo/zoo.json").size(), 3u);
}

// A quantised file carries its own accuracy, or none: never the fp32 model's.
TEST(Manifest, AQuantisedFileCarriesItsOwnAccuracyOrNone) {
  const char* json = R"json({"models": [
    {"name": "fm", "files": {"torchscript": "fm.pt", "onnx": "fm.onnx", "openvino_int8": "fm.ov-int8.xml",
                             "torchscript_int8": "fm.int8.pt"},
     "input_shape": [1, 1, 28, 28],
     "accuracy": {"top1": 85.0, "top5": 99.0, "dataset": "fmnist:test", "source": "measured:fmnist:test:300"},
     "format_accuracy": {"openvino_int8": {"top1": 84.0, "top5": 98.5, "dataset": "fmnist:test",
                                           "source": "measured:fmnist:test:300"}}},
    {"name": "rn", "files": {"torchscript": "rn.pt", "onnx": "rn.onnx", "openvino_int8": "rn.ov-int8.xml"},
     "input_shape": [1, 3, 8, 8],
     "accuracy": {"top1": 69.7, "dataset": "imagenet-1k", "source": "declared:torchvision"},
     "format_accuracy": {"openvino_int8": {"not_applicable": "random weights"}}}
  ]})json";
  const auto models = parse_manifest(json, "/zoo", "/zoo/zoo.json");
  ASSERT_EQ(models.size(), 2u);
  ModelInfo fp32 = models[0];
  EXPECT_EQ(select_engine_file(fp32, "openvino"), "");
  EXPECT_DOUBLE_EQ(*fp32.top1, 85.0);  // the ONNX file is the fp32 model
  ModelInfo ov8 = models[0];
  EXPECT_EQ(select_engine_file(ov8, "openvino", 1, "int8"), "");
  EXPECT_EQ(ov8.path, "/zoo/fm.ov-int8.xml");
  EXPECT_DOUBLE_EQ(*ov8.top1, 84.0);
  EXPECT_DOUBLE_EQ(*ov8.top5, 98.5);
  EXPECT_EQ(ov8.accuracy_source, "measured:fmnist:test:300");
  ModelInfo ts8 = models[0];  // no figure recorded for this file: none
  EXPECT_EQ(select_engine_file(ts8, "torchscript", 1, "int8"), "");
  EXPECT_FALSE(ts8.top1);
  EXPECT_EQ(ts8.accuracy_source, "");
  ModelInfo rn8 = models[1];
  EXPECT_EQ(select_engine_file(rn8, "openvino", 1, "int8"), "");
  EXPECT_FALSE(rn8.top1);
  EXPECT_EQ(rn8.accuracy_dataset, "");
  EXPECT_EQ(models[1].file_accuracy.at("openvino_int8").not_applicable, "random weights");
  // A figure without its provenance is refused like the model's own.
  EXPECT_THROW(parse_manifest(R"json({"models": [{"name": "x", "files": {"torchscript": "x.pt"},
      "input_shape": [1, 4], "format_accuracy": {"openvino_int8": {"top1": 50}}}]})json", "/zoo", "/zoo/zoo.json"),
               Error);
}

// An OpenVINO IR is two files; its identity covers both, the .xml's bytes first.
TEST(Manifest, AnIrsContentHashCoversItsWeights) {
  const auto dir = std::filesystem::temp_directory_path() / "edgejoule_ir_hash";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "m.xml") << "<net/>";
  std::ofstream(dir / "m.bin") << "weights";
  std::ofstream(dir / "m.onnx") << "<net/>";
  EXPECT_EQ(model_content_sha256((dir / "m.xml").string()), sha256_hex("<net/>weights"));
  EXPECT_EQ(model_content_sha256((dir / "m.onnx").string()), sha256_hex("<net/>"));
  std::filesystem::remove(dir / "m.bin");
  EXPECT_THROW(model_content_sha256((dir / "m.xml").string()), Error);  // names the missing .bin
  std::filesystem::remove_all(dir);
}

TEST(Manifest, ALooseFileRunsOnlyInTheEngineOfItsFormat) {
  ModelInfo loose;
  loose.path = "/models/x.onnx";
  loose.format = "onnx";
  EXPECT_EQ(select_engine_file(loose, "opencv"), "");
  EXPECT_EQ(select_engine_file(loose, "torchscript"), "engine torchscript loads torchscript files, and this model is onnx");
}

void expect_bad(const std::string& json, const std::string& text) {
  try {
    parse_manifest(json, "/zoo", "torchscript", "/zoo/zoo.json");
    ADD_FAILURE() << "accepted: " << json;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/zoo/zoo.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST(Manifest, BadManifestsNameTheFileAndTheProblem) {
  expect_bad("{not json", "not valid JSON");
  // Found by fuzz/fuzz_manifest: a number no double holds used to escape as an uncaught exception.
  expect_bad(R"({"models": [{"name": "a", "params": 116e9512}]})", "number overflow");
  expect_bad(R"({"models": 3})", "no \"models\" list");
  expect_bad(R"({"models": [{"name": "a", "files": {}, "input_shape": [1, 3]}]})", "empty \"files\"");
  expect_bad(R"({"models": [{"name": "a", "files": {"onnx": 3}, "input_shape": [1, 3]}]})", "non-string file for onnx");
  expect_bad(R"({"models": [{"family": "x"}]})", "entry 0 has no string \"name\"");
  expect_bad(R"({"models": [{"name": "a", "files": {"torchscript": "a.pt"}}]})", "input_shape");
  expect_bad(R"({"models": [{"name": "a", "files": {"torchscript": "a.pt"}, "input_shape": [1, 0]}]})",
             "non-positive");
  expect_bad(R"({"models": [{"name": "a", "files": {"torchscript": "a.pt"}, "input_shape": ["x", 3]}]})",
             "malformed");
  expect_bad(R"({"models": [{"name": "a", "files": {"torchscript": "a.pt"}, "input_shape": [1, 3],
                  "accuracy": {"top1": 50}}]})",
             "without a \"source\"");
}

TEST(Manifest, MissingManifestSaysHowToBuildOne) {
  try {
    load_manifest("/nonexistent-zoo", "torchscript");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("edgejoule zoo build"), std::string::npos);
  }
}

TEST(Manifest, FindsTheEntryForAFileBesideIt) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / "manifest_beside";
  fs::create_directories(dir);
  std::ofstream(dir / "zoo.json") << kGood;
  std::ofstream(dir / "resnet18.pt") << "x";
  std::ofstream(dir / "other.pt") << "x";
  const auto entry = manifest_entry_for((dir / "resnet18.pt").string(), "torchscript");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->name, "resnet18");
  EXPECT_EQ(entry->path, (dir / "resnet18.pt").string());
  EXPECT_FALSE(manifest_entry_for((dir / "other.pt").string(), "torchscript"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace edgejoule
