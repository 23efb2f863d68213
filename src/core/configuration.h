#pragma once
// One point of the configuration space: every knob that changes a measurement, and the key that
// identifies it in a store.

#include <cstdint>
#include <string>
#include <vector>

#include "core/config_fields.h"
#include "core/engine_settings.h"

namespace edgejoule {

// The engine a configuration runs on when none is named: the reference, whose outputs the others
// are compared with.
inline constexpr const char* kDefaultEngine = "torchscript";

// One point of the configuration space. Every field is a knob that changes the measurement.
struct Configuration {
  std::string engine = kDefaultEngine;
  std::string device = "cpu";
  std::string precision = "fp32";
  int batch = 1;
  int threads = 1;
  std::vector<int64_t> sample_shape;  // one sample's shape, without the batch dimension
  // The meter measuring it (its name, "" for latency only): energy from another meter is
  // another measurement, so it is part of the key.
  std::string meter;
  // The table's knobs (core/config_fields.h) by name; a knob absent is at its default.
  KnobValues knobs;
  // Platform power settings applied for this point, canonical "knob=value,..." (sorted), empty
  // when the platform is left as it is (--allow-platform-changes sweeps).
  std::string platform;

  std::vector<int64_t> input_shape() const;  // {batch, sample_shape...}
  // What the engine is loaded with: device, precision, threads and the knobs.
  EngineOptions engine_options() const;
  std::string knob(const std::string& name) const { return knob_value(knobs, name); }
  // Canonical text identifying the configuration in the store, e.g.
  // "engine=torchscript;device=cpu;precision=fp32;batch=1;threads=2;shape=3x224x224"; knobs
  // at their defaults are left out, so keys from before they existed still match.
  std::string key() const;
  std::string describe() const;  // short human form: "torchscript cpu fp32 b1 t2"

 private:
  std::string knob_key() const;
};

}  // namespace edgejoule
