#pragma once
// Points and a host as the profiler would hand them to a store: the fixtures of the store tests
// (the SQLite store's own tests and the contract every backend passes).

#include <string>

#include "platform/host.h"
#include "core/records.h"

namespace edgejoule::testing {

// A finished point of model `sha` at batch `batch` (three windows, latency only), or an
// UNSUPPORTED one with its reason.
inline PointRecord point_record(const std::string& sha, int batch, Verdict verdict = Verdict::kValid) {
  PointRecord r;
  r.model.name = "m-" + sha;
  r.model.family = "fam";
  r.model.path = "/zoo/" + sha + ".pt";
  r.model.content_sha256 = sha;
  r.model.params = 1234;
  r.model.sample_shape = {3, 32, 32};
  r.model.top1 = 70.5;
  r.model.accuracy_source = "declared:test:weights";
  r.config.batch = batch;
  r.config.threads = 2;
  r.config.sample_shape = {3, 32, 32};
  r.runtime.engine = "torchscript";
  r.runtime.engine_version = "libtorch 1.13.0";
  r.runtime.device = "cpu";
  r.runtime.precision = "fp32";
  r.runtime.threads = 2;
  r.started_at_utc = "2026-11-26T00:00:00Z";
  r.result.verdict = verdict;
  if (verdict == Verdict::kUnsupported) {
    r.result.reason = "not here";
    return r;
  }
  for (int i = 0; i < 3; ++i) {
    WindowResult w;
    w.index = i;
    w.duration_s = 1.0;
    w.iterations = 100;
    w.samples = 100 * batch;
    w.latency_ms = summarize({9.0 + i, 10.0 + i, 11.0 + i});
    w.throughput_sps = 100.0 * batch;
    r.result.windows.push_back(w);
  }
  r.result.latency_ms = summarize({9, 10, 11, 10, 11, 12, 11, 12, 13});
  r.result.window_latency_ms = summarize({10, 11, 12});
  r.result.throughput_sps = 100.0 * batch;
  return r;
}

inline HostInfo store_test_host(const std::string& hostname = "h") {
  HostInfo host;
  host.hostname = hostname;
  host.cpu_model = "cpu";
  host.cpu_cores = 2;
  host.memory_mb = 1024;
  host.os = "os";
  host.kernel = "k";
  host.engine_versions = "torchscript=libtorch 1.13.0";
  host.blas.name = "openblas-openmp";
  host.blas.library = "/lib/libblas.so.3";
  return host;
}

}  // namespace edgejoule::testing
