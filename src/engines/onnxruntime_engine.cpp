// The ONNX Runtime engine: the only translation unit that includes ONNX Runtime's headers (API
// version 21, from Debian's libonnxruntime-dev, scripts/setup-onnxruntime-headers.sh) and calls
// its library (the pinned onnxruntime wheel in .venv). The C API is versioned and backward
// compatible, so the library is asked at load for the API these headers were written against and
// a library too old for it is refused with both versions named, instead of crashing later.
// It runs the zoo's ONNX exports, and at int8 the zoo's onnx_int8 file: a QDQ model that
// onnxruntime.quantization calibrated statically (zoo/quantize_onnxruntime.py). One session per
// configuration with the CPU execution provider (CUDA's where the library offers it), intra-op
// threads = the configuration's threads; input and output tensors are allocated once and bound
// to the session (IoBinding), so a call copies nothing.
#define ORT_API_MANUAL_INIT
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "common/error.h"
#include "common/strings.h"
#include "engines/onnx_info.h"
#include "engines/registry.h"

namespace edgejoule {

std::string onnxruntime_library_version();

namespace {

// The library's API table, asked for once: nullptr with `api_error` when the library cannot give
// the version these headers were compiled against.
const OrtApi* ort_api(std::string* api_error = nullptr) {
  static std::string error;
  static const OrtApi* api = [] {
    const OrtApiBase* base = OrtGetApiBase();
    const OrtApi* a = base->GetApi(ORT_API_VERSION);
    if (!a) {
      error = std::string("ONNX Runtime ") + base->GetVersionString() + " does not offer C API version " +
              std::to_string(ORT_API_VERSION) + ", which this build was compiled against: install the pinned "
              "onnxruntime wheel ('make deps') and rebuild";
    } else {
      Ort::InitApi(a);
    }
    return a;
  }();
  if (api_error) *api_error = error;
  return api;
}

void require_api() {
  std::string error;
  if (!ort_api(&error)) throw UnsupportedError(error);
}

// One environment per process (its logger and default thread settings). Warnings about graph
// transformations it skipped are not the user's concern; errors still reach stderr.
Ort::Env& env() {
  require_api();
  static Ort::Env instance(ORT_LOGGING_LEVEL_ERROR, "edgejoule");
  return instance;
}

std::vector<std::string> providers() {
  require_api();
  return Ort::GetAvailableProviders();
}

bool offers(const std::string& provider) {
  const auto all = providers();
  return std::find(all.begin(), all.end(), provider) != all.end();
}

// The devices this engine runs on here: the CPU provider always, CUDA where the library has it.
std::vector<std::string> offered_devices() {
  std::vector<std::string> out = {"cpu"};
  if (offers("CUDAExecutionProvider")) out.emplace_back("cuda");
  return out;
}

GraphOptimizationLevel optimization_of(const std::string& level) {
  if (level == "disable") return GraphOptimizationLevel::ORT_DISABLE_ALL;
  if (level == "basic") return GraphOptimizationLevel::ORT_ENABLE_BASIC;
  if (level == "extended") return GraphOptimizationLevel::ORT_ENABLE_EXTENDED;
  return GraphOptimizationLevel::ORT_ENABLE_ALL;
}

// ONNX Runtime's message without its source location ("[ONNXRuntimeError] : 1 : FAIL : ...").
std::string message_of(const std::exception& e) {
  std::string text = trim(e.what());
  for (const char* marker : {"] : ", " : "}) {
    size_t pos = 0;
    while (starts_with(text, "[") && (pos = text.find(marker)) != std::string::npos && pos < 40) {
      text = text.substr(pos + std::string(marker).size());
    }
  }
  const auto newline = text.find('\n');
  return newline == std::string::npos ? text : text.substr(0, newline);
}

// One session and the tensors bound to it: the single-stream call, or one request in flight.
// Every ONNX Runtime object is held by pointer and made only once the library's API is in hand:
// an Ort handle, even an empty one, calls the API when it is destroyed.
// The tensors are ONNX Runtime's own allocations (aligned as its kernels prefer, as numpy's arrays
// are for its Python API), written once and bound.
struct Bound {
  std::unique_ptr<Ort::Session> session;
  std::unique_ptr<Ort::Value> input_value, output_value;
  std::unique_ptr<Ort::IoBinding> binding;
};

class OnnxRuntimeEngine final : public Engine {
 public:
  std::string name() const override { return "onnxruntime"; }

  void load(const std::filesystem::path& model_path, const EngineOptions& options) override {
    path_ = model_path.string();
    require_model_file(model_path, options.precision == "int8" ? "torchscript,onnx_int8" : "torchscript,onnx");
    require_api();
    const auto devices = offered_devices();
    if (std::find(devices.begin(), devices.end(), options.device) == devices.end()) {
      throw UnsupportedError(onnxruntime_library_version() + " here offers the execution providers " +
                             join(providers(), ", ") + ": none runs on " + options.device);
    }
    if (options.precision != "fp32" && options.precision != "int8") {
      throw UnsupportedError("ONNX Runtime computes the zoo's ONNX files in fp32, and their onnx_int8 files in "
                             "int8; not " + options.precision);
    }
    const auto quantize_ops = qdq_ops_for_precision(path_, options.precision);
    if (!quantize_ops) {
      throw Error("'" + path_ + "' is not a readable ONNX model: export it with torch.onnx.export or "
                  "'edgejoule zoo build --formats torchscript,onnx'");
    }
    quantize_ops_ = *quantize_ops;
    device_ = options.device;
    precision_ = options.precision;
    threads_ = std::max(1, options.threads);
    optimization_ = options.knob("ort_graph_opt");
    execution_mode_ = options.knob("ort_execution_mode");
    inter_threads_ = options.knob("ort_inter_threads");
    main_.session = make_session(threads_);
    Ort::Session& session = *main_.session;
    if (session.GetInputCount() != 1) {
      throw UnsupportedError("'" + path_ + "' has " + std::to_string(session.GetInputCount()) +
                             " inputs; edgejoule feeds models with one");
    }
    if (session.GetOutputCount() < 1) throw UnsupportedError("'" + path_ + "' has no output");
    Ort::AllocatorWithDefaultOptions allocator;
    input_name_ = session.GetInputNameAllocated(0, allocator).get();
    output_name_ = session.GetOutputNameAllocated(0, allocator).get();
    const Ort::TypeInfo type = session.GetInputTypeInfo(0);  // the shape info below points into it
    const auto info = type.GetTensorTypeAndShapeInfo();
    if (info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
      throw UnsupportedError("'" + path_ + "' takes a non-float32 input; edgejoule feeds float32 images");
    }
    declared_ = info.GetShape();
  }

  void prepare(const std::vector<int64_t>& shape) override {
    if (!main_.session) throw Error("internal: prepare() before load()", exit_code::kFailure);
    check_shape(shape);
    shape_ = shape;
    size_t count = 1;
    for (int64_t d : shape) count *= static_cast<size_t>(d);
    input_.resize(count);
    // Deterministic input: reproducible, and the same for every run.
    uint32_t state = 20210628;
    for (auto& v : input_) {
      state = state * 1664525u + 1013904223u;
      v = static_cast<float>(state >> 8) / static_cast<float>(1u << 24);
    }
    try {
      output_shape_ = output_shape_for(*main_.session, input_);
      bind(main_, input_);
      main_.session->Run(Ort::RunOptions{nullptr}, *main_.binding);
    } catch (const Ort::Exception& e) {
      throw UnsupportedError(onnxruntime_library_version() + " cannot run '" + file_name() + "' on input " +
                             format_shape(shape) + ": " + message_of(e));
    }
  }

  void run() override { run_bound(main_); }

  // Requests in flight: N sessions of the model, each with threads / N intra-op threads and its
  // own bound input and output, so N concurrent calls use the configuration's threads and no
  // more (one session shared by N callers would add the callers to its pool's threads). auto: one
  // request per thread, as LibTorch and OpenCV do.
  int prepare_requests(int requested) override {
    if (!main_.binding) throw Error("internal: prepare_requests() before prepare()", exit_code::kFailure);
    const int n = requested > 0 ? requested : threads_;
    if (n > threads_) {
      throw UnsupportedError(std::to_string(n) + " requests in flight need " + std::to_string(n) +
                             " intra-op threads in ONNX Runtime (one each); this configuration has " +
                             std::to_string(threads_) + ": raise --threads or lower --concurrency");
    }
    threads_per_request_ = std::max(1, threads_ / n);
    requests_.clear();
    try {
      for (int i = 0; i < n; ++i) {
        Bound request;
        request.session = make_session(threads_per_request_);
        bind(request, input_);
        // The first call allocates the session's buffers: outside the windows.
        request.session->Run(Ort::RunOptions{nullptr}, *request.binding);
        requests_.push_back(std::move(request));
      }
    } catch (const Ort::Exception& e) {
      requests_.clear();
      throw UnsupportedError(onnxruntime_library_version() + " cannot run " + std::to_string(n) + " requests of '" +
                             file_name() + "': " + message_of(e));
    }
    return n;
  }

  void run_request(int slot) override { run_bound(requests_.at(static_cast<size_t>(slot))); }

  std::vector<float> request_output(int slot) const override {
    const Ort::Value& out = *requests_.at(static_cast<size_t>(slot)).output_value;
    const float* data = out.GetTensorData<float>();
    return std::vector<float>(data, data + out.GetTensorTypeAndShapeInfo().GetElementCount());
  }

  std::vector<float> infer(const std::vector<float>& input, const std::vector<int64_t>& shape,
                           int64_t* output_width) override {
    if (!main_.session) throw Error("internal: infer() before load()", exit_code::kFailure);
    check_shape(shape);
    try {
      const auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
      auto value = Ort::Value::CreateTensor<float>(memory, const_cast<float*>(input.data()), input.size(),
                                                   shape.data(), shape.size());
      const char* in_name = input_name_.c_str();
      const char* out_name = output_name_.c_str();
      auto outputs = main_.session->Run(Ort::RunOptions{nullptr}, &in_name, &value, 1, &out_name, 1);
      const auto info = outputs.at(0).GetTensorTypeAndShapeInfo();
      const auto out_shape = info.GetShape();
      if (info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT || out_shape.size() != 2 ||
          out_shape[0] != shape[0]) {
        throw Error("model '" + path_ + "' returned " + format_shape(out_shape) +
                    ", not float32 [batch, classes]: it is not a classifier edgejoule can score");
      }
      *output_width = out_shape[1];
      const float* data = outputs[0].GetTensorData<float>();
      return std::vector<float>(data, data + info.GetElementCount());
    } catch (const Ort::Exception& e) {
      throw Error("model '" + path_ + "' failed during inference (" + message_of(e) + ")", exit_code::kFailure);
    }
  }

  EffectiveSettings runtime() const override {
    EffectiveSettings rt;
    rt.engine = name();
    rt.engine_version = onnxruntime_library_version();
    rt.device = device_;
    rt.precision = precision_;
    rt.threads = threads_;
    rt.knobs["ort_graph_opt"] = optimization_;
    rt.knobs["ort_execution_mode"] = execution_mode_;
    rt.knobs["ort_inter_threads"] = inter_threads_;
    rt.requests = requests_.empty() ? 1 : static_cast<int>(requests_.size());
    rt.threads_per_request = requests_.empty() ? threads_ : threads_per_request_;
    rt.cuda_available = offers("CUDAExecutionProvider");
    // The session options as set (ONNX Runtime does not read them back), and how calls are bound.
    rt.backend = std::string(device_ == "cuda" ? "CUDAExecutionProvider" : "CPUExecutionProvider") +
                 " graph_optimization=" + optimization_ + " execution_mode=" + execution_mode_ +
                 " intra_op_threads=" + std::to_string(rt.threads_per_request) +
                 (execution_mode_ == "parallel" ? " inter_op_threads=" + std::to_string(inter_threads()) : "") +
                 " io_binding=preallocated" +
                 (quantize_ops_ ? " quantize_linear_ops=" + std::to_string(quantize_ops_) : "");
    return rt;
  }

 private:
  int inter_threads() const { return inter_threads_ == "auto" ? threads_ : std::stoi(inter_threads_); }

  std::string file_name() const { return std::filesystem::path(path_).filename().string(); }

  std::unique_ptr<Ort::Session> make_session(int intra_threads) {
    Ort::SessionOptions options;
    options.SetIntraOpNumThreads(intra_threads);
    options.SetGraphOptimizationLevel(optimization_of(optimization_));
    if (execution_mode_ == "parallel") {
      options.SetExecutionMode(ExecutionMode::ORT_PARALLEL);
      options.SetInterOpNumThreads(inter_threads());
    } else {
      options.SetExecutionMode(ExecutionMode::ORT_SEQUENTIAL);
      options.SetInterOpNumThreads(1);
    }
    if (device_ == "cuda") {
      OrtCUDAProviderOptions cuda{};
      options.AppendExecutionProvider_CUDA(cuda);
    }
    try {
      return std::make_unique<Ort::Session>(env(), path_.c_str(), options);
    } catch (const Ort::Exception& e) {
      const OrtErrorCode code = e.GetOrtErrorCode();
      if (code == ORT_INVALID_PROTOBUF || code == ORT_NO_SUCHFILE || !onnx_input_shape(path_)) {
        throw Error("'" + path_ + "' is not a readable ONNX model (" + message_of(e) +
                    "): export it with torch.onnx.export or 'edgejoule zoo build --formats torchscript,onnx'");
      }
      throw UnsupportedError(onnxruntime_library_version() + " cannot load '" + file_name() + "': " + message_of(e));
    }
  }

  // A shape the graph does not take (other than its batch) is the user's to fix.
  void check_shape(const std::vector<int64_t>& shape) const {
    std::vector<int64_t> declared = declared_;
    for (auto& d : declared) d = d > 0 ? d : -1;
    if (!declared.empty()) declared[0] = -1;
    if (!shape_fits(shape, declared)) {
      throw Error("model '" + path_ + "' rejected input shape " + format_shape(shape) + " (its ONNX graph takes " +
                  format_shape(declared_) + "): pass --input-shape to match");
    }
  }

  // The first output's shape for this input, from one unbound call (a graph may leave it symbolic).
  std::vector<int64_t> output_shape_for(Ort::Session& session, std::vector<float>& input) const {
    const auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    auto value = Ort::Value::CreateTensor<float>(memory, input.data(), input.size(), shape_.data(), shape_.size());
    const char* in_name = input_name_.c_str();
    const char* out_name = output_name_.c_str();
    auto outputs = session.Run(Ort::RunOptions{nullptr}, &in_name, &value, 1, &out_name, 1);
    const auto info = outputs.at(0).GetTensorTypeAndShapeInfo();
    if (info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
      throw UnsupportedError("'" + path_ + "' returns a non-float32 output; edgejoule reads float32 outputs");
    }
    return info.GetShape();
  }

  // Its own copy of the input and an output buffer of the output's shape, bound once.
  void bind(Bound& b, const std::vector<float>& input) const {
    const auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    Ort::AllocatorWithDefaultOptions allocator;
    b.input_value = std::make_unique<Ort::Value>(Ort::Value::CreateTensor<float>(allocator, shape_.data(), shape_.size()));
    std::copy(input.begin(), input.end(), b.input_value->GetTensorMutableData<float>());
    b.output_value = std::make_unique<Ort::Value>(
        Ort::Value::CreateTensor<float>(allocator, output_shape_.data(), output_shape_.size()));
    b.binding = std::make_unique<Ort::IoBinding>(*b.session);
    b.binding->BindInput(input_name_.c_str(), *b.input_value);
    b.binding->BindOutput(output_name_.c_str(), *b.output_value);
    // Outputs beyond the first (none in the zoo) are left to ONNX Runtime to allocate.
    for (size_t i = 1; i < b.session->GetOutputCount(); ++i) {
      b.binding->BindOutput(b.session->GetOutputNameAllocated(i, allocator).get(), memory);
    }
  }

  void run_bound(Bound& b) {
    try {
      b.session->Run(Ort::RunOptions{nullptr}, *b.binding);
    } catch (const Ort::Exception& e) {
      throw Error("model '" + path_ + "' failed during inference (" + message_of(e) + ")", exit_code::kFailure);
    }
  }

  std::string path_, input_name_, output_name_;
  std::vector<int64_t> declared_, shape_, output_shape_;
  std::vector<float> input_;
  Bound main_;
  std::vector<Bound> requests_;
  std::string device_ = "cpu", precision_ = "fp32", optimization_ = "all", execution_mode_ = "sequential",
              inter_threads_ = "auto";
  int threads_ = 1, threads_per_request_ = 1;
  size_t quantize_ops_ = 0;
};

}  // namespace

std::string onnxruntime_library_version() { return std::string("onnxruntime ") + OrtGetApiBase()->GetVersionString(); }

EngineHooks make_onnxruntime_hooks() {
  EngineHooks hooks;
  hooks.make = [] { return std::unique_ptr<Engine>(std::make_unique<OnnxRuntimeEngine>()); };
  hooks.version = &onnxruntime_library_version;
  hooks.here = [] {
    EngineHere here;
    std::string error;
    if (!ort_api(&error)) {
      here.backends.push_back(error);
      return here;
    }
    here.devices = offered_devices();
    for (const auto& device : here.devices) {
      here.precisions.push_back("fp32 (" + device + ")");
      here.precisions.push_back("int8 (" + device + ", onnx_int8 files)");
    }
    // Every execution provider the library offers, used or not (edgejoule runs CPU and CUDA).
    for (const auto& provider : providers()) here.backends.push_back(provider);
    return here;
  };
  return hooks;
}

}  // namespace edgejoule

// The plugin's one exported symbol (engines/registry.h, kEngineHooksSymbol).
extern "C" __attribute__((visibility("default"))) const edgejoule::EngineHooks* edgejoule_engine_hooks_v1() {
  static const edgejoule::EngineHooks hooks = edgejoule::make_onnxruntime_hooks();
  return &hooks;
}
