// The table of configuration fields (see core/config_fields.h). One entry per knob.
#include "core/config_fields.h"

#include <algorithm>

#include "common/error.h"
#include "common/strings.h"

namespace edgejoule {

const std::vector<ConfigField>& config_fields() {
  static const std::vector<ConfigField> table = {
      {"optimize", "--optimize",
       "Graph optimisation to sweep: off, on (LibTorch: freeze + optimize_for_inference; it speeds up some "
       "models and slows others, so measure it per model)",
       {"off", "on"}, "opt", /*is_switch=*/true, /*changes_outputs=*/true, {"torchscript"}},
      {"memory_format", "--memory-format",
       "Memory formats to sweep: contiguous, channels_last (NHWC inputs and 4-D weights; LibTorch)",
       {"contiguous", "channels_last"}, "cl", false, /*changes_outputs=*/true, {"torchscript"}},
      {"qengine", "--qengine",
       "LibTorch's int8 kernel libraries to sweep: auto (FBGEMM, else oneDNN, else QNNPACK: what this LibTorch "
       "has), fbgemm, onednn, qnnpack; int8 only, others are UNSUPPORTED for fp32/bf16/fp16",
       {"auto", "fbgemm", "onednn", "qnnpack"}, "q:{}", false, /*changes_outputs=*/true, {"torchscript"}},
      {"ov_hint", "--ov-hint",
       "OpenVINO performance hints to sweep: latency (one request at a time, as edgejoule measures), throughput "
       "(parallel streams for many requests)",
       {"latency", "throughput"}, "hint:{}", false, false, {"openvino"}},
      {"ov_streams", "--ov-streams",
       "OpenVINO inference streams to sweep: auto (what the hint chooses), 1, 2, 4, 8",
       {"auto", "1", "2", "4", "8"}, "streams:{}", false, false, {"openvino"}},
  };
  return table;
}

const ConfigField& config_field(const std::string& name) {
  const auto& table = config_fields();
  const auto it = std::find_if(table.begin(), table.end(), [&](const ConfigField& f) { return f.name == name; });
  if (it == table.end()) throw Error("unknown configuration field '" + name + "'", exit_code::kFailure);
  return *it;
}

std::string ConfigField::label_for(const std::string& value) const {
  if (value == default_value()) return "";
  std::string out = label;
  if (const auto pos = out.find("{}"); pos != std::string::npos) out.replace(pos, 2, value);
  return out;
}

std::string knob_value(const KnobValues& knobs, const std::string& name) {
  const auto it = knobs.find(name);
  return it == knobs.end() ? config_field(name).default_value() : it->second;
}

std::string knob_labels(const KnobValues& knobs, bool outputs_only) {
  std::string out;
  for (const auto& field : config_fields()) {
    if (outputs_only && !field.changes_outputs) continue;
    const std::string label = field.label_for(knob_value(knobs, field.name));
    if (!label.empty()) out += " " + label;
  }
  return out;
}

std::vector<std::string> knobs_not_honoured(const KnobValues& knobs, const std::string& engine) {
  std::vector<std::string> out;
  for (const auto& field : config_fields()) {
    const std::string value = knob_value(knobs, field.name);
    if (value == field.default_value()) continue;
    if (std::find(field.engines.begin(), field.engines.end(), engine) == field.engines.end()) {
      out.push_back(field.flag + " " + value + " (honoured by " + join(field.engines, ", ") + ")");
    }
  }
  return out;
}

}  // namespace edgejoule
