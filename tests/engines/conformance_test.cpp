// The engine conformance suite: what every engine in the registry must do, run for each one
// built in (engines/registry.cpp). A new engine joins by its registry entry; its model file is the
// tiny zoo's export in the engine's format (the test fixture 'zoo build --set tiny' makes).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "support/process_usage.h"
#include <fstream>

#include "common/error.h"
#include "common/strings.h"
#include "engines/registry.h"
#include "zoo/manifest.h"

namespace edgejoule {
namespace {

namespace fs = std::filesystem;
const std::string kZoo = EDGEJOULE_TINY_ZOO;

std::vector<std::string> built_in_engines() {
  std::vector<std::string> names = available_engines();
  if (names.empty()) names.emplace_back("none");  // gtest needs one parameter; the test skips
  return names;
}


class EngineConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "none") GTEST_SKIP() << "no engine is built in";
    descriptor_ = &find_engine(GetParam());
    ModelInfo cnn;
    for (auto& m : load_manifest(kZoo)) {
      if (m.name == "tiny_cnn") cnn = m;
    }
    ASSERT_FALSE(cnn.name.empty()) << "the tiny zoo has no tiny_cnn";
    // The tiny zoo holds every format the engines built in load ('zoo build --formats engines'):
    // an engine without its file fails here instead of passing untested.
    const std::string why = select_engine_file(cnn, GetParam());
    ASSERT_TRUE(why.empty()) << "the tiny zoo has no file for " << GetParam() << ": " << why;
    model_path_ = cnn.path;
    shape_ = {1};
    shape_.insert(shape_.end(), cnn.sample_shape.begin(), cnn.sample_shape.end());
  }

  EngineOptions options(int threads = 1) const {
    EngineOptions o;
    o.threads = threads;
    return o;
  }

  // `f` throws an Error with exit code 2 (the user's to fix), one line, naming `file`; not an
  // UnsupportedError (which a sweep would store instead of reporting).
  static void expect_users_error(const std::function<void()>& f, const std::string& names) {
    try {
      f();
      ADD_FAILURE() << "no error";
    } catch (const UnsupportedError& e) {
      ADD_FAILURE() << "UNSUPPORTED where the input is wrong: " << e.what();
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), exit_code::kBadInput) << e.what();
      EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one sentence, no backtrace: " << e.what();
    }
  }

  const EngineDescriptor* descriptor_ = nullptr;
  std::string model_path_;
  std::vector<int64_t> shape_;
};

TEST_P(EngineConformance, LoadsRunsAndSaysWhatItRan) {
  auto engine = descriptor_->make();
  EXPECT_EQ(engine->name(), GetParam());
  engine->load(model_path_, options());
  for (int64_t batch : {1, 2}) {
    auto shape = shape_;
    shape[0] = batch;
    engine->prepare(shape);
    engine->run();
  }
  const auto rt = engine->runtime();
  EXPECT_EQ(rt.engine, GetParam());
  EXPECT_EQ(rt.engine_version, descriptor_->version());
  EXPECT_FALSE(rt.engine_version.empty());
  EXPECT_EQ(rt.device, "cpu");
  EXPECT_EQ(rt.precision, "fp32");
  int64_t width = 0;
  const auto out = engine->infer(std::vector<float>(shape_[1] * shape_[2] * shape_[3], 0.5f), shape_, &width);
  EXPECT_GT(width, 1);
  EXPECT_EQ(out.size(), static_cast<size_t>(width));
}

TEST_P(EngineConformance, AWrongShapeIsOneSentenceNamingTheShape) {
  auto engine = descriptor_->make();
  engine->load(model_path_, options());
  expect_users_error([&] { engine->prepare({1, 5, 7, 9}); }, "1x5x7x9");
}

TEST_P(EngineConformance, MissingTruncatedAndForeignFilesAreTheUsersErrorNamingTheFile) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("conformance_" + GetParam());
  fs::create_directories(dir);
  const std::string ext = descriptor_->file_extension;
  expect_users_error([&] { descriptor_->make()->load((dir / ("missing" + ext)).string(), options()); },
                     "missing" + ext);
  const std::string truncated = (dir / ("truncated" + ext)).string();
  {
    const std::string whole = read_file(model_path_).value();
    std::ofstream(truncated, std::ios::binary) << whole.substr(0, whole.size() / 2);
  }
  expect_users_error([&] { descriptor_->make()->load(truncated, options()); }, "truncated" + ext);
  const std::string foreign = (dir / ("foreign" + ext)).string();
  std::ofstream(foreign) << "this is a text file, not a model";
  expect_users_error([&] { descriptor_->make()->load(foreign, options()); }, "foreign" + ext);
}

// Every precision and device some engine accepts but this one cannot run is UNSUPPORTED with a
// reason (stored so), never a crash or a silent fallback.
TEST_P(EngineConformance, WhatItCannotRunIsUnsupportedWithAReason) {
  const auto& supported = descriptor_->precisions;
  int refused = 0;
  for (const auto& precision : registered_precisions()) {
    if (std::find(supported.begin(), supported.end(), precision) != supported.end()) continue;
    EngineOptions o = options();
    o.precision = precision;
    try {
      descriptor_->make()->load(model_path_, o);
      ADD_FAILURE() << GetParam() << " loaded precision " << precision << " it does not list";
    } catch (const UnsupportedError& e) {
      EXPECT_NE(std::string(e.what()).find(precision), std::string::npos) << e.what();
      ++refused;
    }
  }
  auto probe = descriptor_->make();
  probe->load(model_path_, options());
  if (!probe->runtime().cuda_available) {
    EngineOptions o = options();
    o.device = "cuda";
    try {
      descriptor_->make()->load(model_path_, o);
      ADD_FAILURE() << GetParam() << " loaded on cuda where there is none";
    } catch (const UnsupportedError& e) {
      EXPECT_NE(std::string(e.what()).find("cuda"), std::string::npos) << e.what();
      ++refused;
    }
  }
  RecordProperty("refused", refused);
}

TEST_P(EngineConformance, TheThreadCountIsHonoured) {
  for (int threads : {1, 2}) {
    auto engine = descriptor_->make();
    engine->load(model_path_, options(threads));
    engine->prepare(shape_);
    engine->run();
    EXPECT_EQ(engine->runtime().threads, threads);
  }
}

// Requests in flight (offline and server): two requests run at once on two threads compute what
// one request computes alone, the engine says how many it made and with how many threads each,
// and together they stay within the configuration's threads.
TEST_P(EngineConformance, RequestsInFlightComputeWhatOneDoesWithinTheThreads) {
  auto engine = descriptor_->make();
  engine->load(model_path_, options(2));
  engine->prepare(shape_);
  ASSERT_EQ(engine->prepare_requests(2), 2);
  engine->run_request(0);
  const std::vector<float> alone = engine->request_output(0);
  ASSERT_FALSE(alone.empty());
  for (int round = 0; round < 20; ++round) {
    std::thread other([&] { engine->run_request(1); });
    engine->run_request(0);
    other.join();
    ASSERT_EQ(engine->request_output(0), alone) << "round " << round;
    ASSERT_EQ(engine->request_output(1), alone) << "round " << round;
  }
  const EffectiveSettings rt = engine->runtime();
  EXPECT_EQ(rt.requests, 2);
  EXPECT_GE(rt.threads_per_request, 1);
  EXPECT_LE(rt.threads, 2);
  // Requests that divide the threads (LibTorch, OpenCV) use one each here; OpenVINO's streams
  // share its inference threads, which are within the bound above.
  if (GetParam() != "openvino") EXPECT_LE(rt.requests * rt.threads_per_request, 2);

  // auto: the engine's own choice, at least one request.
  auto automatic = descriptor_->make();
  automatic->load(model_path_, options(2));
  automatic->prepare(shape_);
  const int n = automatic->prepare_requests(0);
  EXPECT_GE(n, 1);
  for (int slot = 0; slot < n; ++slot) automatic->run_request(slot);
  EXPECT_EQ(automatic->runtime().requests, n);
}

// More requests than threads: LibTorch and OpenCV give each request a thread of its own, so they
// refuse with the reason; OpenVINO queues its requests on its streams, within its threads.
TEST_P(EngineConformance, MoreRequestsThanThreadsStayWithinTheThreadsOrAreRefused) {
  auto engine = descriptor_->make();
  engine->load(model_path_, options(1));
  engine->prepare(shape_);
  if (GetParam() == "openvino") {
    ASSERT_EQ(engine->prepare_requests(3), 3);
    for (int slot = 0; slot < 3; ++slot) engine->run_request(slot);
    EXPECT_LE(engine->runtime().threads, 1);
    return;
  }
  try {
    engine->prepare_requests(3);
    ADD_FAILURE() << "3 requests on 1 thread were made";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("raise --threads or lower --concurrency"), std::string::npos) << e.what();
  }
}

// Loading and dropping the engine many times does not grow the process: what a model took is
// released with the engine (a sweep loads one per point).
TEST_P(EngineConformance, MemoryIsReleasedOnUnload) {
  auto cycle = [&] {
    auto engine = descriptor_->make();
    engine->load(model_path_, options());
    engine->prepare(shape_);
    engine->run();
  };
  for (int i = 0; i < 5; ++i) cycle();  // allocator pools and the library's one-time state
  const double before = rss_mb();
  for (int i = 0; i < 40; ++i) cycle();
  EXPECT_LT(rss_mb() - before, 8.0) << "resident memory grew over 40 load/unload cycles";
}

INSTANTIATE_TEST_SUITE_P(Registered, EngineConformance, ::testing::ValuesIn(built_in_engines()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// The registry itself: one entry per engine, each complete.
TEST(EngineRegistry, EveryEntryIsCompleteAndTheFactoryReadsIt) {
  const auto& table = engine_registry();
  ASSERT_FALSE(table.empty());
  int references = 0;
  for (const auto& e : table) {
    EXPECT_FALSE(e.name.empty());
    EXPECT_FALSE(e.model_format.empty()) << e.name;
    EXPECT_FALSE(e.file_extension.empty()) << e.name;
    EXPECT_FALSE(e.devices.empty()) << e.name;
    EXPECT_FALSE(e.precisions.empty()) << e.name;
    EXPECT_FALSE(e.build_hint.empty()) << e.name;
    EXPECT_EQ(engine_model_format(e.name), e.model_format);
    references += e.output_reference;
    if (e.built_in()) {
      EXPECT_EQ(make_engine(e.name)->name(), e.name);
    } else {
      try {
        make_engine(e.name);
        ADD_FAILURE() << e.name << " is not built in but was made";
      } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find(e.build_hint), std::string::npos) << error.what();
      }
    }
  }
  EXPECT_EQ(references, 1) << "one reference engine for the output checks";
  EXPECT_THROW(find_engine("tensorrt"), Error);
}

}  // namespace
}  // namespace edgejoule
