// The OpenVINO engine: the only translation unit that includes OpenVINO's headers (from the
// pinned PyPI wheel in .venv, scripts/setup-venv.sh). It reads the zoo's ONNX exports with
// Core::read_model, reshapes them to the configuration's input shape and compiles them per
// configuration with the device, threads, inference precision, performance hint and streams;
// what OpenVINO applied is read back with get_property and stored with every point.
// Precision int8 loads the zoo's openvino_int8 file instead: an IR (.xml + .bin) that NNCF
// quantised (zoo/quantize_openvino.py), whose FakeQuantize operations OpenVINO runs with int8
// kernels; its other operations are computed in f32.

#include <openvino/openvino.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "common/error.h"
#include "common/strings.h"
#include "engines/onnx_info.h"
#include "engines/registry.h"

namespace edgejoule {

std::string openvino_library_version();

namespace {

// One Core per process: it loads the device plugins once.
ov::Core& core() {
  static ov::Core instance;
  return instance;
}

// OpenVINO's message without its source location lines.
std::string first_line(const std::string& text) {
  std::string out;
  for (const auto& line : split(text, '\n')) {
    const std::string t = trim(line);
    if (t.empty() || starts_with(t, "Exception from") || starts_with(t, "Check '")) continue;
    out = t;
    break;
  }
  return out.empty() ? trim(text) : out;
}

std::string device_name(const std::string& device) { return to_upper(device); }

std::vector<std::string> offered_devices() {
  std::vector<std::string> out;
  for (const auto& d : core().get_available_devices()) {
    out.push_back(to_lower(d));
  }
  return out;
}

// The device's inference precisions as edgejoule names them ("fp32", "bf16", "fp16", and "int8"
// for quantised models).
std::vector<std::string> precisions_of(const std::string& ov_device) {
  std::vector<std::string> out;
  for (const auto& cap : core().get_property(ov_device, ov::device::capabilities)) {
    if (cap == ov::device::capability::FP32) out.emplace_back("fp32");
    if (cap == ov::device::capability::BF16) out.emplace_back("bf16");
    if (cap == ov::device::capability::FP16) out.emplace_back("fp16");
    if (cap == ov::device::capability::INT8) out.emplace_back("int8");
  }
  return out;
}

size_t fake_quantize_count(const ov::Model& model) {
  size_t n = 0;
  for (const auto& op : model.get_ops()) {
    const std::string type = op->get_type_name();
    if (type == "FakeQuantize" || type == "FakeConvert") ++n;
  }
  return n;
}

// int8: the quantised operations run in int8 whatever the hint; the rest in f32.
ov::element::Type element_of(const std::string& precision) {
  if (precision == "bf16") return ov::element::bf16;
  if (precision == "fp16") return ov::element::f16;
  return ov::element::f32;
}

class OpenVinoEngine final : public Engine {
 public:
  std::string name() const override { return "openvino"; }

  void load(const std::filesystem::path& model_path, const EngineOptions& options) override {
    path_ = model_path.string();
    const bool ir = model_path.extension() == ".xml";
    require_model_file(model_path, options.precision == "int8" ? "torchscript,openvino_int8" : "torchscript,onnx");
    if (ir) require_model_file(std::filesystem::path(model_path).replace_extension(".bin"), "torchscript,openvino_int8");
    const auto offered = offered_devices();
    if (std::find(offered.begin(), offered.end(), options.device) == offered.end()) {
      throw UnsupportedError("OpenVINO " + openvino_library_version() + " offers no device " + options.device +
                             " here (it offers " + join(offered, ", ") + ")");
    }
    ov_device_ = device_name(options.device);
    const auto precisions = precisions_of(ov_device_);
    if (std::find(precisions.begin(), precisions.end(), options.precision) == precisions.end()) {
      throw UnsupportedError("OpenVINO's " + ov_device_ + " device here computes in " + join(precisions, ", ") +
                             ", not " + options.precision);
    }
    try {
      model_ = core().read_model(path_);
    } catch (const std::exception& e) {
      const std::string what = first_line(e.what());
      if (ir) {
        throw Error("'" + path_ + "' is not a readable OpenVINO IR (" + what +
                    "): make it again with 'edgejoule zoo build --formats torchscript,openvino_int8 --force'");
      }
      if (!onnx_input_shape(path_)) {
        throw Error("'" + path_ + "' is not a readable ONNX model (" + what +
                    "): export it with torch.onnx.export or 'edgejoule zoo build --formats torchscript,onnx'");
      }
      throw UnsupportedError("OpenVINO " + openvino_library_version() + " cannot read '" +
                             std::filesystem::path(path_).filename().string() + "': " + what);
    }
    if (model_->inputs().size() != 1) {
      throw UnsupportedError("'" + path_ + "' has " + std::to_string(model_->inputs().size()) +
                             " inputs; edgejoule feeds models with one");
    }
    const size_t quantized = fake_quantize_count(*model_);
    if (options.precision == "int8" && quantized == 0) {
      throw Error("'" + path_ + "' has no quantised operation (FakeQuantize): --precision int8 needs the "
                  "openvino_int8 file NNCF makes, 'edgejoule zoo build --formats torchscript,openvino_int8'");
    }
    if (options.precision != "int8" && quantized > 0) {
      throw Error("'" + path_ + "' is a quantised model: profile it with --precision int8");
    }
    quantized_ops_ = quantized;
    declared_ = model_->input().get_partial_shape();
    device_ = options.device;
    precision_ = options.precision;
    threads_requested_ = options.threads;
    hint_ = options.knob("ov_hint");
    streams_ = options.knob("ov_streams");
  }

  void prepare(const std::vector<int64_t>& shape) override {
    if (!model_) throw Error("internal: prepare() before load()", exit_code::kFailure);
    compile_for(shape);
    input_ = ov::Tensor(ov::element::f32, to_shape(shape));
    float* data = input_.data<float>();
    // Deterministic input: reproducible, and the same for every run.
    uint32_t state = 20210628;
    for (size_t i = 0; i < input_.get_size(); ++i) {
      state = state * 1664525u + 1013904223u;
      data[i] = static_cast<float>(state >> 8) / static_cast<float>(1u << 24);
    }
    request_.set_input_tensor(input_);
    try {
      request_.infer();
    } catch (const std::exception& e) {
      throw UnsupportedError("OpenVINO " + openvino_library_version() + " cannot run '" +
                             std::filesystem::path(path_).filename().string() + "' on input " + format_shape(shape) +
                             ": " + first_line(e.what()));
    }
  }

  void run() override {
    try {
      request_.infer();
    } catch (const std::exception& e) {
      throw Error("model '" + path_ + "' failed during inference (" + first_line(e.what()) + ")", exit_code::kFailure);
    }
  }

  // Asynchronous infer requests of the compiled model: OpenVINO runs them over its streams (the
  // hint and --ov-streams choose how many), within its inference_num_threads. auto takes the
  // compiled model's optimal_number_of_infer_requests, as benchmark_app does.
  int prepare_requests(int requested) override {
    if (!compiled_) throw Error("internal: prepare_requests() before prepare()", exit_code::kFailure);
    uint32_t n = requested > 0 ? static_cast<uint32_t>(requested) : 0;
    try {
      if (n == 0) n = std::max<uint32_t>(1, compiled_->get_property(ov::optimal_number_of_infer_requests));
      requests_.clear();
      for (uint32_t i = 0; i < n; ++i) {
        requests_.push_back(compiled_->create_infer_request());
        requests_.back().set_input_tensor(input_);
      }
      // The first call of each request allocates its buffers: outside the windows.
      for (auto& r : requests_) r.start_async();
      for (auto& r : requests_) r.wait();
    } catch (const std::exception& e) {
      throw UnsupportedError("OpenVINO " + openvino_library_version() + " cannot run " + std::to_string(n) +
                             " requests of '" + std::filesystem::path(path_).filename().string() +
                             "': " + first_line(e.what()));
    }
    return static_cast<int>(n);
  }

  void run_request(int slot) override {
    auto& r = requests_.at(static_cast<size_t>(slot));
    try {
      r.start_async();
      r.wait();
    } catch (const std::exception& e) {
      throw Error("model '" + path_ + "' failed during inference (" + first_line(e.what()) + ")", exit_code::kFailure);
    }
  }

  std::vector<float> request_output(int slot) const override {
    auto& request = const_cast<ov::InferRequest&>(requests_.at(static_cast<size_t>(slot)));  // a handle: reading its output changes nothing
    const ov::Tensor out = request.get_output_tensor();
    const float* data = out.data<const float>();
    return std::vector<float>(data, data + out.get_size());
  }

  std::vector<float> infer(const std::vector<float>& input, const std::vector<int64_t>& shape,
                           int64_t* output_width) override {
    if (!model_) throw Error("internal: infer() before load()", exit_code::kFailure);
    if (shape != compiled_shape_) compile_for(shape);
    ov::Tensor tensor(ov::element::f32, to_shape(shape), const_cast<float*>(input.data()));
    request_.set_input_tensor(tensor);
    request_.infer();
    const ov::Tensor out = request_.get_output_tensor();
    const auto out_shape = out.get_shape();
    // The inference precision hint changes how OpenVINO computes, not the model's f32 outputs.
    if (out_shape.size() != 2 || static_cast<int64_t>(out_shape[0]) != shape[0] ||
        out.get_element_type() != ov::element::f32) {
      throw Error("model '" + path_ + "' returned " + out.get_element_type().to_string() + " " + out_shape.to_string() +
                  ", not f32 [batch, classes]: it is not a classifier edgejoule can score");
    }
    *output_width = static_cast<int64_t>(out_shape[1]);
    const float* data = out.data<const float>();
    return std::vector<float>(data, data + out.get_size());
  }

  EffectiveSettings runtime() const override {
    EffectiveSettings rt;
    rt.engine = name();
    rt.engine_version = openvino_library_version();
    rt.device = device_;
    rt.precision = precision_;
    rt.threads = threads_requested_;
    rt.knobs["ov_hint"] = hint_;
    rt.knobs["ov_streams"] = streams_;
    if (compiled_) {
      // What OpenVINO applied, read back: it may differ from what was asked.
      const auto precision = compiled_->get_property(ov::hint::inference_precision);
      const auto threads = compiled_->get_property(ov::inference_num_threads);
      const auto streams = compiled_->get_property(ov::num_streams);
      const auto mode = compiled_->get_property(ov::hint::performance_mode);
      rt.threads = threads;
      rt.requests = requests_.empty() ? 1 : static_cast<int>(requests_.size());
      // A stream runs one request at a time on its share of the threads.
      rt.threads_per_request = std::max(1, static_cast<int>(threads) / std::max(1, streams.num));
      rt.device_name = core().get_property(ov_device_, ov::device::full_name);
      std::ostringstream hint;
      hint << mode;
      rt.backend = ov_device_ + " inference_precision=" + precision.to_string() + " threads=" + std::to_string(threads) +
                   " streams=" + std::to_string(streams.num) + " hint=" + hint.str() +
                   (quantized_ops_ ? " fake_quantize_ops=" + std::to_string(quantized_ops_) : "");
    }
    return rt;
  }

 private:
  static ov::Shape to_shape(const std::vector<int64_t>& shape) {
    ov::Shape s;
    for (int64_t d : shape) s.push_back(static_cast<size_t>(d));
    return s;
  }

  // Compiles the model for one static input shape with the configuration's settings.
  void compile_for(const std::vector<int64_t>& shape) {
    // A shape the graph does not take (other than its batch) is the user's to fix.
    std::vector<int64_t> declared;
    for (const auto& d : declared_) declared.push_back(d.is_static() ? d.get_length() : -1);
    if (!declared.empty()) declared[0] = -1;
    if (declared_.rank().is_static() && !shape_fits(shape, declared)) {
      throw Error("model '" + path_ + "' rejected input shape " + format_shape(shape) + " (its ONNX graph takes " +
                  declared_.to_string() + "): pass --input-shape to match");
    }
    ov::AnyMap config;
    config[ov::hint::inference_precision.name()] = element_of(precision_);
    config[ov::inference_num_threads.name()] = threads_requested_;
    config[ov::hint::performance_mode.name()] =
        hint_ == "throughput" ? ov::hint::PerformanceMode::THROUGHPUT : ov::hint::PerformanceMode::LATENCY;
    if (streams_ != "auto") config[ov::num_streams.name()] = ov::streams::Num(std::stoi(streams_));
    try {
      auto model = model_->clone();
      model->reshape(ov::PartialShape(to_shape(shape)));
      compiled_ = core().compile_model(model, ov_device_, config);
      request_ = compiled_->create_infer_request();
      compiled_shape_ = shape;
    } catch (const std::exception& e) {
      throw UnsupportedError("OpenVINO " + openvino_library_version() + " cannot compile '" +
                             std::filesystem::path(path_).filename().string() + "' for " + ov_device_ + " at " +
                             format_shape(shape) + ": " + first_line(e.what()));
    }
  }

  std::string path_;
  std::shared_ptr<ov::Model> model_;
  ov::PartialShape declared_;
  std::optional<ov::CompiledModel> compiled_;
  ov::InferRequest request_;
  std::vector<ov::InferRequest> requests_;
  ov::Tensor input_;
  std::vector<int64_t> compiled_shape_;
  std::string device_ = "cpu", ov_device_ = "CPU", precision_ = "fp32", hint_ = "latency", streams_ = "auto";
  int threads_requested_ = 0;
  size_t quantized_ops_ = 0;
};

}  // namespace

std::string openvino_library_version() {
  const ov::Version v = ov::get_openvino_version();
  std::string build = v.buildNumber;
  return "openvino " + build.substr(0, build.find('-'));
}

EngineHooks make_openvino_hooks() {
  EngineHooks hooks;
  hooks.make = [] { return std::unique_ptr<Engine>(std::make_unique<OpenVinoEngine>()); };
  hooks.version = &openvino_library_version;
  hooks.here = [] {
    EngineHere here;
    for (const auto& device : offered_devices()) {
      here.devices.push_back(device);
      const std::string ov_device = device_name(device);
      for (const auto& p : precisions_of(ov_device)) here.precisions.push_back(p + " (" + device + ")");
      here.backends.push_back(ov_device + ": " + core().get_property(ov_device, ov::device::full_name));
    }
    return here;
  };
  return hooks;
}

}  // namespace edgejoule

// The plugin's one exported symbol (engines/registry.h, kEngineHooksSymbol).
extern "C" __attribute__((visibility("default"))) const edgejoule::EngineHooks* edgejoule_engine_hooks_v1() {
  static const edgejoule::EngineHooks hooks = edgejoule::make_openvino_hooks();
  return &hooks;
}
