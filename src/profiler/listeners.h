#pragma once
// Listeners (TFLite benchmark tool style): progress output and the store hook into the sweep
// and the protocol without the loop knowing them. All methods default to doing nothing.

#include <memory>
#include <string>
#include <vector>

#include "core/records.h"

namespace edgejoule {

struct PointContext {
  const ModelInfo* model = nullptr;
  const Configuration* config = nullptr;
  size_t index = 0;   // 0-based position in the sweep
  size_t total = 0;
};

class ProfileListener {
 public:
  virtual ~ProfileListener() = default;
  virtual void on_sweep_start(size_t /*points*/) {}
  virtual void on_point_skipped(const PointContext&, const std::string& /*why*/) {}
  virtual void on_point_start(const PointContext&) {}
  virtual void on_warmup_end(const PointContext&, double /*warmup_s*/, int64_t /*iterations*/) {}
  virtual void on_window_end(const PointContext&, const WindowResult&) {}
  // Called with every finished point: VALID, INVALID or UNSUPPORTED. Storing happens here.
  virtual void on_point_end(const PointContext&, const PointRecord&) {}
  // The point could not be measured (model rejected, engine error); nothing is stored.
  virtual void on_point_failed(const PointContext&, const std::string& /*message*/) {}
  virtual void on_sweep_end(bool /*interrupted*/) {}
};

// Fans every call out to several listeners, in order.
class ListenerList final : public ProfileListener {
 public:
  void add(ProfileListener* listener) { listeners_.push_back(listener); }
  void on_sweep_start(size_t n) override { for (auto* l : listeners_) l->on_sweep_start(n); }
  void on_point_skipped(const PointContext& c, const std::string& w) override {
    for (auto* l : listeners_) l->on_point_skipped(c, w);
  }
  void on_point_start(const PointContext& c) override { for (auto* l : listeners_) l->on_point_start(c); }
  void on_warmup_end(const PointContext& c, double s, int64_t n) override {
    for (auto* l : listeners_) l->on_warmup_end(c, s, n);
  }
  void on_window_end(const PointContext& c, const WindowResult& w) override {
    for (auto* l : listeners_) l->on_window_end(c, w);
  }
  void on_point_end(const PointContext& c, const PointRecord& r) override {
    for (auto* l : listeners_) l->on_point_end(c, r);
  }
  void on_point_failed(const PointContext& c, const std::string& m) override {
    for (auto* l : listeners_) l->on_point_failed(c, m);
  }
  void on_sweep_end(bool interrupted) override { for (auto* l : listeners_) l->on_sweep_end(interrupted); }

 private:
  std::vector<ProfileListener*> listeners_;
};

// Progress on stderr: one rewritten line on a terminal, plain lines otherwise (logs, CI).
// `announce_sweeps`: a "profiling N point(s)" line as each sweep starts (off where the caller
// says what each sweep is: the frontier sweep's rounds).
std::unique_ptr<ProfileListener> make_progress_listener(bool is_terminal, bool quiet, bool announce_sweeps = true);

}  // namespace edgejoule
