// A long sweep in one process releases what each point took. Sixty points over the
// cross-check zoo's four torchvision models (5-45 MB each) in both engines: models are unloaded
// after their points, so file descriptors, threads and resident memory stop growing after the
// first round (a model kept per point would add ~700 MB over the last 40).
#include <gtest/gtest.h>

#include <filesystem>

#include "support/process_usage.h"
#include <fstream>
#include <string>

#include "common/strings.h"
#include "engines/engine.h"
#include "profiler/protocol.h"
#include "zoo/manifest.h"

namespace edgejoule {
namespace {

namespace fs = std::filesystem;
const std::string kZoo = EDGEJOULE_CROSSCHECK_ZOO;

size_t count_entries(const char* dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}


struct Usage {
  size_t fds = 0, threads = 0;
  double rss = 0;
};
Usage usage() { return {count_entries("/proc/self/fd"), count_entries("/proc/self/task"), rss_mb()}; }

std::string thread_names() {
  std::string names;
  for (const auto& e : fs::directory_iterator("/proc/self/task")) {
    names += trim(read_file((e.path() / "comm").string()).value_or("?")) + " ";
  }
  return names;
}

// Counts finished points and keeps each one's peak memory.
class Recorder : public ProfileListener {
 public:
  void on_point_end(const PointContext&, const PointRecord& record) override {
    ++finished;
    if (record.result.peak_rss_mb) peaks.push_back(*record.result.peak_rss_mb);
  }
  int finished = 0;
  std::vector<double> peaks;
};

TEST(Resources, ManyModelsInOneProcessReleaseDescriptorsThreadsAndMemory) {
  std::vector<SweepItem> items;
  const auto models = load_manifest(kZoo);
  for (int i = 0; i < 60; ++i) {
    for (const auto& engine : available_engines()) {
      if (static_cast<int>(items.size()) >= 60) break;
      SweepItem item;
      item.model = models[static_cast<size_t>(i) % models.size()];
      item.config.engine = engine;
      item.config.batch = 1;  // shufflenet's ONNX file takes batch 1 only
      item.config.threads = 1 + (i / 4) % 2;
      item.config.sample_shape = item.model.sample_shape;
      item.unsupported_reason = select_engine_file(item.model, engine, item.config.batch);
      ASSERT_EQ(item.unsupported_reason, "") << item.model.name << " " << engine;
      items.push_back(item);
    }
  }
  ASSERT_EQ(items.size(), 60u);
  SweepOptions options;
  options.protocol.warmup_s = 0.005;
  options.protocol.min_time_s = 0.01;
  options.protocol.repetitions = 2;
  options.protocol.max_cv = 10;
  options.engine_factory = [](const std::string& name) { return make_engine(name); };

  // Warm the libraries' one-time state (thread pools created lazily, allocators) with the first 20
  // points, which cover every model x engine x threads combination once.
  Recorder recorder;
  const std::vector<SweepItem> first(items.begin(), items.begin() + 20);
  run_sweep(first, options, recorder);
  const Usage after_warmup = usage();
  const std::string names_after_warmup = thread_names();
  const std::vector<SweepItem> rest(items.begin() + 20, items.end());
  const auto outcome = run_sweep(rest, options, recorder);
  const Usage after_all = usage();

  EXPECT_EQ(recorder.finished, 60);
  EXPECT_TRUE(outcome.failures.empty());
  EXPECT_EQ(after_all.fds, after_warmup.fds) << "file descriptors leaked over 40 points";
  // Threads: each engine keeps one pool of at most `threads` (2) workers, resized as the thread
  // count changes (the count moves by one as a pool shrinks or grows), plus this thread. A
  // thread leaked per point would add 40.
  const size_t pools = available_engines().size();
  EXPECT_LE(after_all.threads, 1u + pools * 2u) << "threads leaked over 40 points: " << thread_names()
                                             << "; after warm-up: " << names_after_warmup;
  EXPECT_LE(after_all.threads, after_warmup.threads + 1) << thread_names();
  // Resident memory may wobble by allocator caches, not grow by a model per point.
  EXPECT_LT(after_all.rss - after_warmup.rss, 100.0) << "resident memory grew over 40 points";
  // Peak memory is reported per point.
  EXPECT_EQ(recorder.peaks.size(), 60u);
}

}  // namespace
}  // namespace edgejoule
