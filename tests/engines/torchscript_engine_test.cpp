#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "engines/engine.h"
#include "engines/output_check.h"

namespace edgejoule {
namespace {

const std::string kZoo = EDGEJOULE_TINY_ZOO;

TEST(TorchScriptEngine, RunsATracedModelAtSeveralBatchSizes) {
  auto engine = make_engine("torchscript");
  EngineOptions options;
  options.threads = 1;
  engine->load(kZoo + "/tiny_cnn.pt", options);
  for (int64_t batch : {1, 4}) {
    engine->prepare({batch, 3, 32, 32});
    engine->run();
  }
  const auto rt = engine->runtime();
  EXPECT_EQ(rt.engine, "torchscript");
  EXPECT_EQ(rt.device, "cpu");
  EXPECT_EQ(rt.precision, "fp32");
  EXPECT_NE(rt.engine_version.find("libtorch"), std::string::npos);
}

TEST(TorchScriptEngine, ThreadsAreAppliedNotLeftToTheLibrary) {
  for (int threads : {1, 2}) {
    auto engine = make_engine("torchscript");
    EngineOptions options;
    options.threads = threads;
    engine->load(kZoo + "/tiny_cnn.pt", options);
    EXPECT_EQ(engine->runtime().threads, threads);
  }
}

TEST(TorchScriptEngine, Bf16RunsOnCpuAndFp16IsUnsupportedThere) {
  auto engine = make_engine("torchscript");
  EngineOptions options;
  options.precision = "bf16";
  engine->load(kZoo + "/tiny_cnn.pt", options);
  engine->prepare({2, 3, 32, 32});
  engine->run();
  EXPECT_EQ(engine->runtime().precision, "bf16");

  options.precision = "fp16";
  EXPECT_THROW(make_engine("torchscript")->load(kZoo + "/tiny_cnn.pt", options), UnsupportedError);
}

TEST(TorchScriptEngine, CudaIsUnsupportedWhereThereIsNone) {
  auto engine = make_engine("torchscript");
  EngineOptions options;
  options.device = "cuda";
  if (engine->runtime().cuda_available) GTEST_SKIP() << "this machine has CUDA";
  EXPECT_THROW(engine->load(kZoo + "/tiny_cnn.pt", options), UnsupportedError);
}

TEST(TorchScriptEngine, ErrorsNameTheFileAndWhatToDo) {
  auto engine = make_engine("torchscript");
  try {
    engine->load(kZoo + "/missing.pt", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.pt' does not exist"), std::string::npos);
  }
  const std::string junk = ::testing::TempDir() + "/junk.pt";
  std::ofstream(junk) << "this is not a zip archive";
  try {
    engine->load(junk, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("junk.pt' is not a loadable TorchScript model"),
              std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one sentence, no backtrace";
  }
  engine->load(kZoo + "/tiny_mlp.pt", {});
  try {
    engine->prepare({1, 3, 32, 32});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rejected input shape 1x3x32x32"), std::string::npos)
        << e.what();
  }
}

// Precision int8 runs the zoo's dynamically quantised export; its outputs stay close to fp32's.
TEST(TorchScriptEngine, Int8RunsTheQuantisedExportAndRefusesAPlainFile) {
  EngineOptions options;
  options.precision = "int8";
  auto int8 = make_engine("torchscript");
  int8->load(kZoo + "/tiny_mlp.int8.pt", options);
  int8->prepare({4, 1, 28, 28});
  int8->run();
  const auto rt = int8->runtime();
  EXPECT_EQ(rt.precision, "int8");
  EXPECT_EQ(rt.backend.rfind("qengine=", 0), 0u) << rt.backend;

  auto fp32 = make_engine("torchscript");
  fp32->load(kZoo + "/tiny_mlp.pt", EngineOptions{});
  const auto c = compare_engines(*fp32, *int8, {4, 1, 28, 28}, "int8");
  EXPECT_GT(c.max_abs_diff, 0.0);  // really quantised: not bit-identical
  EXPECT_LE(c.max_rel_diff, output_tolerance("int8"));

  // A file without quantised operators is not int8, whatever it is called.
  try {
    make_engine("torchscript")->load(kZoo + "/tiny_mlp.pt", options);
    ADD_FAILURE() << "a plain fp32 file was accepted as int8";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("no quantised operators"), std::string::npos) << e.what();
  }
  options.device = "cuda";
  EXPECT_THROW(make_engine("torchscript")->load(kZoo + "/tiny_mlp.int8.pt", options), UnsupportedError);
}

TEST(TorchScriptEngine, OptimizeAndChannelsLastComputeTheSameFunction) {
  auto reference = make_engine("torchscript");
  reference->load(kZoo + "/tiny_cnn.pt", EngineOptions{});
  for (const auto& [optimize, format] : {std::pair{true, "contiguous"}, std::pair{false, "channels_last"},
                                         std::pair{true, "channels_last"}}) {
    SCOPED_TRACE(std::string(optimize ? "optimize " : "") + format);
    EngineOptions options;
    options.knobs["optimize"] = optimize ? "on" : "off";
    options.knobs["memory_format"] = format;
    auto engine = make_engine("torchscript");
    engine->load(kZoo + "/tiny_cnn.pt", options);
    engine->prepare({2, 3, 32, 32});
    engine->run();
    EXPECT_EQ(engine->runtime().knobs.at("optimize"), optimize ? "on" : "off");
    EXPECT_EQ(engine->runtime().knobs.at("memory_format"), format);
    const auto c = compare_engines(*reference, *engine, {2, 3, 32, 32}, "fp32");
    EXPECT_TRUE(c.agrees()) << c.max_rel_diff;
  }
  EngineOptions bad;
  bad.knobs["memory_format"] = "nhwc";
  EXPECT_THROW(make_engine("torchscript")->load(kZoo + "/tiny_cnn.pt", bad), Error);
}

TEST(EngineFactory, UnknownEngineListsTheChoices) {
  try {
    make_engine("tensorrt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("choose one of torchscript"), std::string::npos);
  }
}

}  // namespace
}  // namespace edgejoule
