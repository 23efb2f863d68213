// The ONNX Runtime engine on the tiny zoo's real ONNX exports: its session options applied and
// reported, its outputs against LibTorch's on the same weights, its int8 file, and what it
// cannot do refused in one sentence (the conformance suite covers the rest every engine must do).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/strings.h"
#include "engines/engine.h"
#include "engines/output_check.h"
#include "engines/registry.h"

namespace edgejoule {
namespace {

const std::string kTinyZoo = EDGEJOULE_TINY_ZOO;
const std::string kFmnistZoo = EDGEJOULE_FMNIST_ZOO;

EngineOptions options_with(int threads, KnobValues knobs = {}) {
  EngineOptions o;
  o.threads = threads;
  o.knobs = std::move(knobs);
  return o;
}

TEST(OnnxRuntimeEngine, AppliesAndReportsItsSessionOptions) {
  auto engine = make_engine("onnxruntime");
  engine->load(kTinyZoo + "/tiny_cnn.onnx", options_with(2, {{"ort_graph_opt", "basic"},
                                                             {"ort_execution_mode", "parallel"},
                                                             {"ort_inter_threads", "3"}}));
  for (int64_t batch : {1, 4}) {
    engine->prepare({batch, 3, 32, 32});
    engine->run();
  }
  const auto rt = engine->runtime();
  EXPECT_EQ(rt.engine, "onnxruntime");
  EXPECT_EQ(rt.engine_version.rfind("onnxruntime 1.", 0), 0u) << rt.engine_version;
  EXPECT_EQ(rt.threads, 2);
  EXPECT_EQ(rt.knobs.at("ort_graph_opt"), "basic");
  EXPECT_EQ(rt.knobs.at("ort_execution_mode"), "parallel");
  EXPECT_EQ(rt.backend,
            "CPUExecutionProvider graph_optimization=basic execution_mode=parallel intra_op_threads=2 "
            "inter_op_threads=3 io_binding=preallocated");

  auto defaults = make_engine("onnxruntime");
  defaults->load(kTinyZoo + "/tiny_cnn.onnx", options_with(1));
  defaults->prepare({1, 3, 32, 32});
  EXPECT_EQ(defaults->runtime().backend,
            "CPUExecutionProvider graph_optimization=all execution_mode=sequential intra_op_threads=1 "
            "io_binding=preallocated");
}

// Every graph optimisation level computes the same function as LibTorch on the same weights.
TEST(OnnxRuntimeEngine, OutputsAgreeWithLibTorchAtEveryOptimisationLevel) {
  auto reference = make_engine("torchscript");
  reference->load(kTinyZoo + "/tiny_cnn.pt", options_with(1));
  for (const char* level : {"disable", "basic", "extended", "all"}) {
    auto engine = make_engine("onnxruntime");
    engine->load(kTinyZoo + "/tiny_cnn.onnx", options_with(1, {{"ort_graph_opt", level}}));
    const auto c = compare_engines(*reference, *engine, {2, 3, 32, 32}, "fp32");
    EXPECT_TRUE(c.agrees()) << level << ": max rel diff " << c.max_rel_diff;
  }
}

TEST(OnnxRuntimeEngine, RequestsInFlightSplitTheThreadsAndComputeWhatOneDoes) {
  auto engine = make_engine("onnxruntime");
  engine->load(kTinyZoo + "/tiny_cnn.onnx", options_with(2));
  engine->prepare({1, 3, 32, 32});
  ASSERT_EQ(engine->prepare_requests(0), 2);  // auto: one request per thread
  engine->run_request(0);
  engine->run_request(1);
  EXPECT_EQ(engine->request_output(0), engine->request_output(1));
  const auto rt = engine->runtime();
  EXPECT_EQ(rt.requests, 2);
  EXPECT_EQ(rt.threads_per_request, 1);
  EXPECT_NE(rt.backend.find("intra_op_threads=1"), std::string::npos) << rt.backend;
  try {
    engine->prepare_requests(3);
    ADD_FAILURE() << "3 requests on 2 threads accepted";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("raise --threads or lower --concurrency"), std::string::npos) << e.what();
  }
}

TEST(OnnxRuntimeEngine, WhatItCannotDoIsRefusedInOneSentence) {
  EngineOptions o = options_with(1);
  for (const char* precision : {"fp16", "bf16"}) {
    o.precision = precision;
    try {
      make_engine("onnxruntime")->load(kTinyZoo + "/tiny_cnn.onnx", o);
      ADD_FAILURE() << precision << " accepted";
    } catch (const UnsupportedError& e) {
      EXPECT_NE(std::string(e.what()).find(precision), std::string::npos) << e.what();
    }
  }
  // A device it lacks is UNSUPPORTED with the providers the library offers.
  const auto here = find_engine("onnxruntime").hooks().here();
  if (std::find(here.devices.begin(), here.devices.end(), "cuda") == here.devices.end()) {
    o = options_with(1);
    o.device = "cuda";
    try {
      make_engine("onnxruntime")->load(kTinyZoo + "/tiny_cnn.onnx", o);
      ADD_FAILURE() << "cuda accepted without the CUDA execution provider";
    } catch (const UnsupportedError& e) {
      EXPECT_NE(std::string(e.what()).find("CPUExecutionProvider"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("none runs on cuda"), std::string::npos) << e.what();
    }
  }
  EXPECT_NE(std::find(here.backends.begin(), here.backends.end(), "CPUExecutionProvider"), here.backends.end());
  // An fp32 file is not int8, and an int8 file is not fp32: the user's to fix, exit 2.
  o = options_with(1);
  o.precision = "int8";
  try {
    make_engine("onnxruntime")->load(kTinyZoo + "/tiny_cnn.onnx", o);
    ADD_FAILURE() << "an fp32 file loaded at int8";
  } catch (const UnsupportedError& e) {
    ADD_FAILURE() << "stored as UNSUPPORTED instead of the user's error: " << e.what();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), exit_code::kBadInput);
    EXPECT_NE(std::string(e.what()).find("has no quantised operation (QuantizeLinear)"), std::string::npos) << e.what();
  }
  // A file that is not ONNX at all.
  const auto junk = std::filesystem::temp_directory_path() / "edgejoule-ort-junk.onnx";
  std::ofstream(junk) << "not a model";
  try {
    make_engine("onnxruntime")->load(junk, options_with(1));
    ADD_FAILURE() << "junk loaded";
  } catch (const UnsupportedError& e) {
    ADD_FAILURE() << "stored as UNSUPPORTED instead of the user's error: " << e.what();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), exit_code::kBadInput);
    EXPECT_NE(std::string(e.what()).find("is not a readable ONNX model"), std::string::npos) << e.what();
  }
  std::filesystem::remove(junk);
}

// The zoo's QDQ file runs at int8 and says how many quantise operations it holds; its outputs
// stay close to the fp32 model's (calibrated on real images: the classes mostly agree).
TEST(OnnxRuntimeEngine, RunsTheZoosQdqInt8File) {
  const std::string int8 = kFmnistZoo + "/fmnist_mlp_xs.qdq-int8.onnx";
  if (!std::filesystem::exists(int8)) GTEST_SKIP() << "the Fashion-MNIST fixture has no onnx_int8 file";
  EngineOptions o = options_with(1);
  o.precision = "int8";
  auto engine = make_engine("onnxruntime");
  engine->load(int8, o);
  engine->prepare({1, 1, 28, 28});
  engine->run();
  const auto rt = engine->runtime();
  EXPECT_EQ(rt.precision, "int8");
  EXPECT_NE(rt.backend.find("quantize_linear_ops="), std::string::npos) << rt.backend;
  // The int8 file at fp32 is the user's mistake.
  try {
    make_engine("onnxruntime")->load(int8, options_with(1));
    ADD_FAILURE() << "an int8 file loaded at fp32";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("profile it with --precision int8"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace edgejoule
