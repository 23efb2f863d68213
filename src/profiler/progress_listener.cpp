#include <cstdio>

#include <fmt/format.h>

#include "common/status_line.h"
#include "profiler/listeners.h"

namespace edgejoule {
namespace {

class ProgressListener final : public ProfileListener {
 public:
  ProgressListener(bool is_terminal, bool quiet, bool announce_sweeps)
      : status_(is_terminal), quiet_(quiet), announce_sweeps_(announce_sweeps) {}

  void on_sweep_start(size_t points) override {
    if (!quiet_ && announce_sweeps_) emit_line(fmt::format("profiling {} point(s)", points));
  }
  void on_point_skipped(const PointContext& c, const std::string& why) override {
    if (!quiet_) emit_line(fmt::format("{} skipped: {}", prefix(c), why));
  }
  void on_point_start(const PointContext& c) override {
    if (!quiet_ && status_.terminal()) emit_status(fmt::format("{} warming up", prefix(c)));
  }
  void on_warmup_end(const PointContext& c, double warmup_s, int64_t iterations) override {
    if (!quiet_ && status_.terminal()) {
      emit_status(fmt::format("{} warmed up ({} calls, {:.1f} s), measuring", prefix(c),
                              iterations, warmup_s));
    }
  }
  void on_window_end(const PointContext& c, const WindowResult& w) override {
    if (!quiet_ && status_.terminal()) {
      emit_status(fmt::format("{} window {}: {:.3f} ms mean over {} calls", prefix(c),
                              w.index + 1, w.latency_ms.mean, w.iterations));
    }
  }
  void on_point_end(const PointContext& c, const PointRecord& r) override {
    if (quiet_) return;
    const auto& res = r.result;
    if (res.verdict == Verdict::kUnsupported) {
      emit_line(fmt::format("{} UNSUPPORTED: {}", prefix(c), res.reason));
    } else if (res.verdict == Verdict::kInvalid) {
      emit_line(fmt::format("{} INVALID p50 {:.3f} ms: {}", prefix(c), res.latency_ms.p50,
                            res.reason));
    } else {
      emit_line(fmt::format("{} p50 {:.3f} ms  p99 {:.3f} ms  {:.1f} samples/s", prefix(c),
                            res.latency_ms.p50, res.latency_ms.p99, res.throughput_sps));
    }
  }
  void on_point_failed(const PointContext& c, const std::string& message) override {
    emit_line(fmt::format("{} FAILED: {}", prefix(c), message));
  }
  void on_sweep_end(bool interrupted) override {
    if (interrupted) emit_line("interrupted: every finished point is stored; run the same command again to resume");
  }

 private:
  static std::string prefix(const PointContext& c) {
    return fmt::format("[{}/{}] {} {}", c.index + 1, c.total, c.model->name, c.config->describe());
  }
  void emit_status(const std::string& text) { status_.show(text); }
  void emit_line(const std::string& text) { status_.line(text); }

  StatusLine status_;
  bool quiet_;
  bool announce_sweeps_;
};

}  // namespace

std::unique_ptr<ProfileListener> make_progress_listener(bool is_terminal, bool quiet, bool announce_sweeps) {
  return std::make_unique<ProgressListener>(is_terminal, quiet, announce_sweeps);
}

}  // namespace edgejoule
