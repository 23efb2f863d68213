// The LibTorch engine. This is the only translation unit that includes LibTorch headers.
// It builds against Debian's libtorch-dev (CPU) and against the LibTorch inside a PyTorch 2.x
// wheel (CUDA): only API that exists in both is used.

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/version.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <optional>

#include "common/error.h"
#include "common/strings.h"
#include "engines/registry.h"

namespace edgejoule {

std::string torchscript_library_version();

namespace {

// c10::Error messages carry a C++ backtrace after the first line; users need the first line.
std::string first_line(const std::string& text) {
  const auto pos = text.find('\n');
  return trim(pos == std::string::npos ? text : text.substr(0, pos));
}

// The TorchScript interpreter wraps the kernel's error in a traceback of the scripted code; the
// useful sentence is the last "Error: ..." line (e.g. "mat1 and mat2 shapes cannot be multiplied").
std::string interpreter_message(const std::string& text) {
  std::string best;
  for (const auto& line : split(text, '\n')) {
    const auto t = trim(line);
    if (t.find("Error: ") != std::string::npos) best = t.substr(t.find("Error: ") + 7);
  }
  return best.empty() ? first_line(text) : best;
}

class TorchScriptEngine final : public Engine {
 public:
  std::string name() const override { return "torchscript"; }

  void load(const std::filesystem::path& model_path, const EngineOptions& options) override {
    path_ = model_path.string();
    require_model_file(model_path, "torchscript");
    device_ = resolve_device(options.device);
    dtype_ = resolve_precision(options.precision, options.device);
    precision_ = options.precision;
    const std::string memory_format = options.knob("memory_format");
    if (memory_format != "contiguous" && memory_format != "channels_last") {
      throw Error("unknown memory format '" + memory_format + "': choose contiguous or channels_last");
    }
    channels_last_ = memory_format == "channels_last";
    const bool optimize = options.knob("optimize") == "on";

    at::set_num_threads(options.threads);
    threads_ = at::get_num_threads();
    qengine_requested_ = options.knob("qengine");
    if (qengine_requested_ != "auto" && precision_ != "int8") {
      throw UnsupportedError("--qengine " + qengine_requested_ + " chooses LibTorch's int8 kernels; precision " +
                             precision_ + " uses none");
    }
    if (precision_ == "int8") qengine_ = choose_qengine(qengine_requested_);

    try {
      module_ = torch::jit::load(path_, device_);
      module_->eval();
      if (dtype_ != torch::kFloat && precision_ != "int8") module_->to(dtype_);
    } catch (const c10::Error& e) {
      throw Error("'" + path_ + "' is not a loadable TorchScript model (" + first_line(e.what()) +
                  "): export it with torch.jit.trace/torch.jit.save or rebuild the zoo");
    } catch (const std::exception& e) {
      throw Error("'" + path_ + "' could not be loaded as TorchScript (" + first_line(e.what()) +
                  "): export it with torch.jit.trace/torch.jit.save or rebuild the zoo");
    }
    if (precision_ == "int8" && !has_quantized_ops(*module_)) {
      throw UnsupportedError("'" + path_ + "' has no quantised operators: int8 needs a quantised export "
                             "('edgejoule zoo build --formats torchscript,torchscript_int8')");
    }
    if (channels_last_) {
      // Like module.to(memory_format=torch.channels_last): 4-D weights in NHWC order.
      for (auto p : module_->parameters()) {
        if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
      }
    }
    if (optimize) {
      try {
        // freeze() inlines the weights as constants; optimize_for_inference then folds
        // conv-bn, pre-packs linear/conv weights (MKLDNN on the CPU) and removes dropout.
        module_ = torch::jit::optimize_for_inference(*module_);  // freezes first when not frozen
      } catch (const std::exception& e) {
        throw UnsupportedError("LibTorch could not optimise '" + path_ + "' for inference (" +
                               first_line(e.what()) + ")");
      }
    }
    optimize_ = optimize;
  }

  void prepare(const std::vector<int64_t>& shape) override {
    if (!module_) throw Error("internal: prepare() before load()", exit_code::kFailure);
    // Deterministic input: latency does not depend on the values, but reproducibility does.
    auto generator = at::detail::createCPUGenerator(/*seed_in=*/20210628);
    auto input = torch::rand(shape, generator, torch::TensorOptions().dtype(torch::kFloat));
    inputs_.clear();
    inputs_.emplace_back(to_model_input(input));
    try {
      run_unchecked();
    } catch (const std::exception& e) {
      // c10::Error from kernels, torch::jit::JITException from the interpreter.
      throw Error("model '" + path_ + "' rejected input shape " + format_shape(shape) + " (" +
                  interpreter_message(e.what()) +
                  "): pass --input-shape with the shape the model expects (see its zoo.json entry)");
    }
  }

  void run() override {
    try {
      run_unchecked();
    } catch (const std::exception& e) {
      throw Error("model '" + path_ + "' failed during inference (" + interpreter_message(e.what()) +
                  ")", exit_code::kFailure);
    }
  }

  // N workers share the loaded module (forward is safe from several threads); the
  // configuration's intra-op threads are divided among them, so N x per-request threads stay
  // within it.
  int prepare_requests(int requested) override {
    if (inputs_.empty()) throw Error("internal: prepare_requests() before prepare()", exit_code::kFailure);
    const int n = requested > 0 ? requested : std::max(1, threads_);
    if (n > threads_) {
      throw UnsupportedError(std::to_string(n) + " requests in flight need at least " + std::to_string(n) +
                             " intra-op threads in LibTorch (one each); this configuration has " +
                             std::to_string(threads_) + ": raise --threads or lower --concurrency");
    }
    threads_per_request_ = threads_ / n;
    threads_seen_ = 0;
    request_inputs_.assign(static_cast<size_t>(n), {});
    for (auto& in : request_inputs_) in.emplace_back(inputs_.front().toTensor().clone());
    request_outputs_.assign(static_cast<size_t>(n), torch::jit::IValue());
    return n;
  }

  void run_request(int slot) override {
    // LibTorch's intra-op setting belongs to the calling thread (OpenMP's per-thread ICV), so
    // each worker sets its share once.
    thread_local int applied = 0;
    if (applied != threads_per_request_) {
      at::set_num_threads(threads_per_request_);
      applied = threads_per_request_;
    }
    int seen = threads_seen_.load(std::memory_order_relaxed);
    const int now = at::get_num_threads();
    while (now > seen && !threads_seen_.compare_exchange_weak(seen, now)) {
    }
    try {
      c10::InferenceMode guard;
      request_outputs_[static_cast<size_t>(slot)] = module_->forward(request_inputs_[static_cast<size_t>(slot)]);
      if (device_.is_cuda()) torch::cuda::synchronize();
    } catch (const std::exception& e) {
      throw Error("model '" + path_ + "' failed during inference (" + interpreter_message(e.what()) + ")",
                  exit_code::kFailure);
    }
  }

  std::vector<float> request_output(int slot) const override {
    const auto& out = request_outputs_.at(static_cast<size_t>(slot));
    if (!out.isTensor()) return {};
    auto t = out.toTensor().to(torch::kCPU, torch::kFloat).contiguous();
    return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
  }

  std::vector<float> infer(const std::vector<float>& input, const std::vector<int64_t>& shape,
                           int64_t* output_width) override {
    if (!module_) throw Error("internal: infer() before load()", exit_code::kFailure);
    try {
      c10::InferenceMode guard;
      auto x = to_model_input(torch::from_blob(const_cast<float*>(input.data()), shape, torch::kFloat));
      auto out = module_->forward({x});
      if (!out.isTensor()) throw Error("model '" + path_ + "' does not return a single tensor of class scores");
      auto logits = out.toTensor().to(torch::kCPU, torch::kFloat).contiguous();
      if (logits.dim() != 2 || logits.size(0) != shape[0]) {
        throw Error("model '" + path_ + "' returns shape " + format_shape(logits.sizes().vec()) +
                    ", not [batch, classes]: it is not a classifier edgejoule can score");
      }
      *output_width = logits.size(1);
      return std::vector<float>(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error("model '" + path_ + "' rejected input shape " + format_shape(shape) + " (" +
                  interpreter_message(e.what()) + ")");
    }
  }

  EffectiveSettings runtime() const override {
    EffectiveSettings rt;
    rt.engine = name();
    rt.engine_version = torchscript_library_version();
    rt.device = device_.is_cuda() ? "cuda" : "cpu";
    rt.device_name = device_.str();
    rt.precision = precision_;
    rt.threads = threads_;
    rt.knobs["optimize"] = optimize_ ? "on" : "off";
    rt.knobs["memory_format"] = channels_last_ ? "channels_last" : "contiguous";
    if (precision_ == "int8") rt.backend = "qengine=" + qengine_;
    // What --qengine asked for was honoured: auto resolved to qengine_ (recorded in the backend).
    rt.knobs["qengine"] = qengine_requested_;
    rt.cuda_available = torch::cuda::is_available();
    if (!request_inputs_.empty()) {
      rt.requests = static_cast<int>(request_inputs_.size());
      // What the workers' threads reported, once they ran; the share they were given before.
      const int seen = threads_seen_.load();
      rt.threads_per_request = seen > 0 ? seen : threads_per_request_;
    } else {
      rt.threads_per_request = threads_;
    }
    return rt;
  }

 private:
  void run_unchecked() {
    c10::InferenceMode guard;
    output_ = module_->forward(inputs_);
    if (device_.is_cuda()) torch::cuda::synchronize();
  }

  // Activations stay fp32 for int8 (dynamic quantisation quantises them inside each layer).
  torch::Tensor to_model_input(const torch::Tensor& input) const {
    auto x = input.to(device_, precision_ == "int8" ? torch::kFloat : dtype_);
    if (channels_last_ && x.dim() == 4) x = x.contiguous(at::MemoryFormat::ChannelsLast);
    return x;
  }

  // Whether any graph of the module or its submodules (named_modules includes the root) calls a
  // quantised kernel.
  static bool has_quantized_ops(const torch::jit::Module& module) {
    for (const auto& child : module.named_modules()) {
      for (const auto& method : child.value.get_methods()) {
        for (const auto* node : method.graph()->nodes()) {
          if (std::string(node->kind().toQualString()).rfind("quantized::", 0) == 0) return true;
        }
      }
    }
    return false;
  }

  // The quantised kernels' library: the one asked for (--qengine), or with "auto" FBGEMM where
  // built in (x86 wheels), else oneDNN (Debian's LibTorch), else QNNPACK (ARM). Packed weights
  // are rebuilt for it when the model loads.
  static std::string choose_qengine(const std::string& requested) {
    const auto& supported = at::globalContext().supportedQEngines();
    std::vector<std::string> offered;
    for (auto [engine, name] : {std::pair{at::QEngine::FBGEMM, "fbgemm"}, std::pair{at::QEngine::ONEDNN, "onednn"},
                                std::pair{at::QEngine::QNNPACK, "qnnpack"}}) {
      if (std::find(supported.begin(), supported.end(), engine) == supported.end()) continue;
      offered.emplace_back(name);
      if (requested == "auto" || requested == name) {
        at::globalContext().setQEngine(engine);
        return name;
      }
    }
    if (offered.empty()) {
      throw UnsupportedError("precision int8 is not supported: this LibTorch has no quantised CPU engine");
    }
    throw UnsupportedError("quantised engine " + requested + " is not in this LibTorch (it has " +
                           join(offered, ", ") + ")");
  }

  static torch::Device resolve_device(const std::string& device) {
    if (device == "cpu") return torch::Device(torch::kCPU);
    if (device == "cuda") {
      if (!torch::cuda::is_available()) {
        throw UnsupportedError("device cuda is not available: this LibTorch (" +
                               torchscript_library_version() +
                               ") has no CUDA support or no NVIDIA GPU is visible");
      }
      return torch::Device(torch::kCUDA, 0);
    }
    throw Error("unknown device '" + device + "': choose cpu or cuda");
  }

  static torch::Dtype resolve_precision(const std::string& precision, const std::string& device) {
    if (precision == "fp32") return torch::kFloat;
    if (precision == "bf16") return torch::kBFloat16;
    if (precision == "fp16") {
      if (device != "cuda") {
        throw UnsupportedError("precision fp16 on cpu is not supported by LibTorch's CPU kernels");
      }
      return torch::kHalf;
    }
    if (precision == "int8") {
      if (device != "cpu") {
        throw UnsupportedError("precision int8 on " + device + " is not supported: LibTorch's dynamically "
                               "quantised kernels run on the CPU only");
      }
      return torch::kFloat;  // the model file is quantised; inputs stay fp32
    }
    throw Error("unknown precision '" + precision + "': choose fp32, fp16, bf16 or int8");
  }

  std::string path_;
  std::optional<torch::jit::Module> module_;
  torch::Device device_{torch::kCPU};
  torch::Dtype dtype_ = torch::kFloat;
  std::string precision_ = "fp32";
  int threads_ = 0;
  bool optimize_ = false;
  bool channels_last_ = false;
  std::string qengine_;
  std::string qengine_requested_ = "auto";
  std::vector<torch::jit::IValue> inputs_;
  torch::jit::IValue output_;
  int threads_per_request_ = 1;
  std::atomic<int> threads_seen_{0};
  std::vector<std::vector<torch::jit::IValue>> request_inputs_;
  std::vector<torch::jit::IValue> request_outputs_;
};

}  // namespace

std::string torchscript_library_version() { return std::string("libtorch ") + TORCH_VERSION; }

EngineHooks make_torchscript_hooks() {
  EngineHooks hooks;
  hooks.make = [] { return std::unique_ptr<Engine>(std::make_unique<TorchScriptEngine>()); };
  hooks.version = &torchscript_library_version;
  hooks.here = [] {
    EngineHere here{{"cpu"}, {"fp32", "bf16", "int8 (cpu, a dynamically quantised export)"}, {}};
    if (torch::cuda::is_available()) {
      here.devices.emplace_back("cuda");
      here.precisions.emplace_back("fp16 (cuda)");
    }
    return here;
  };
  return hooks;
}

}  // namespace edgejoule

// The plugin's one exported symbol (engines/registry.h, kEngineHooksSymbol).
extern "C" __attribute__((visibility("default"))) const edgejoule::EngineHooks* edgejoule_engine_hooks_v1() {
  static const edgejoule::EngineHooks hooks = edgejoule::make_torchscript_hooks();
  return &hooks;
}
