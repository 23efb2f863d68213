#include "zoo/manifest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"

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
