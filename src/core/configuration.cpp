#include "core/configuration.h"

#include "common/strings.h"

namespace edgejoule {

EngineOptions Configuration::engine_options() const {
  EngineOptions o;
  o.device = device;
  o.precision = precision;
  o.threads = threads;
  o.knobs = knobs;
  return o;
}

std::vector<int64_t> Configuration::input_shape() const {
  std::vector<int64_t> shape{batch};
  shape.insert(shape.end(), sample_shape.begin(), sample_shape.end());
  return shape;
}

std::string Configuration::key() const {
  return "engine=" + engine + ";device=" + device + ";precision=" + precision +
         ";batch=" + std::to_string(batch) + ";threads=" + std::to_string(threads) +
         ";shape=" + format_shape(sample_shape) + (meter.empty() ? "" : ";meter=" + meter) + knob_key() +
         (platform.empty() ? "" : ";platform=" + platform);
}

// The knobs not at their defaults, in the table's order: ";optimize=on;memory_format=channels_last".
std::string Configuration::knob_key() const {
  std::string out;
  for (const auto& field : config_fields()) {
    const std::string value = knob(field.name);
    if (value != field.default_value()) out += ";" + field.name + "=" + value;
  }
  return out;
}

std::string Configuration::describe() const {
  return engine + " " + device + " " + precision + " b" + std::to_string(batch) + " t" +
         std::to_string(threads) + knob_labels(knobs) + (platform.empty() ? "" : " [" + platform + "]");
}

}  // namespace edgejoule
