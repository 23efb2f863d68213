// Does edgejoule report the latency the engine really has? Compares, on one loaded model:
//   A. edgejoule's protocol (warm-up, windows, per-call timing): mean latency per call;
//   B. a bare loop: one clock read before N calls and one after, no per-call timing.
// A and B alternate several times so drift (thermal, other load) hits both alike; the ratio
// of their medians is printed. Target: A / B <= 1.02. Prints one JSON object on stdout.
//
//   edgejoule_bench_overhead MODEL.pt SHAPE THREADS [ROUNDS] [SECONDS]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "engines/engine.h"
#include "core/stats.h"
#include "profiler/protocol.h"

using namespace edgejoule;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return percentile(v, 0.5);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s MODEL.pt SHAPE THREADS [ROUNDS] [SECONDS]\n", argv[0]);
    return 2;
  }
  try {
    const std::string model = argv[1];
    const auto shape = parse_shape(argv[2], "shape");
    const int threads = static_cast<int>(parse_int(argv[3]).value_or(1));
    const int rounds = argc > 4 ? static_cast<int>(parse_int(argv[4]).value_or(5)) : 5;
    const double seconds = argc > 5 ? parse_double(argv[5]).value_or(2.0) : 2.0;

    auto engine = make_engine("torchscript");
    EngineOptions options;
    options.threads = threads;
    engine->load(model, options);
    engine->prepare(shape);

    ProtocolSettings settings;
    settings.warmup_s = 1.0;
    settings.min_time_s = seconds / 2;
    settings.repetitions = 2;
    Configuration config;
    config.batch = static_cast<int>(shape[0]);
    ProfileListener none;

    // One warm-up for both.
    for (int i = 0; i < 5; ++i) engine->run();

    std::vector<double> protocol_ms, bare_ms, protocol_p50_ms;
    for (int round = 0; round < rounds; ++round) {
      settings.warmup_s = 0.2;
      const auto r = run_protocol(*engine, config, settings, none, {});
      protocol_ms.push_back(r.latency_ms.mean);
      protocol_p50_ms.push_back(r.latency_ms.p50);

      const int64_t calls = std::max<int64_t>(1, static_cast<int64_t>(seconds * 1000 / r.latency_ms.mean));
      const auto start = std::chrono::steady_clock::now();
      for (int64_t i = 0; i < calls; ++i) engine->run();
      const auto stop = std::chrono::steady_clock::now();
      bare_ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count() /
                        static_cast<double>(calls));
    }
    const double a = median(protocol_ms);
    const double b = median(bare_ms);
    nlohmann::json out = {{"model", model},
                          {"shape", argv[2]},
                          {"threads", threads},
                          {"rounds", rounds},
                          {"edgejoule_mean_ms", a},
                          {"edgejoule_p50_ms", median(protocol_p50_ms)},
                          {"bare_loop_mean_ms", b},
                          {"ratio_edgejoule_over_bare", a / b}};
    std::cout << out.dump() << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edgejoule_bench_overhead: %s\n", e.what());
    return 2;
  }
}
