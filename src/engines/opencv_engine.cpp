// The OpenCV DNN engine on ONNX models. This is the only translation unit that includes OpenCV's
// DNN headers. OpenCV 4.6 (Debian 12) computes in fp32 on the CPU; the backends and targets it
// offers are listed at run time (cv::dnn::getAvailableBackends) and the one used is recorded.

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <optional>

#include <algorithm>

#include "common/error.h"
#include "common/strings.h"
#include "engines/onnx_info.h"
#include "engines/registry.h"

namespace edgejoule {

std::string opencv_library_version();

namespace {

std::string backend_name(int backend) {
  switch (backend) {
    case cv::dnn::DNN_BACKEND_DEFAULT: return "DEFAULT";
    case cv::dnn::DNN_BACKEND_HALIDE: return "HALIDE";
    case cv::dnn::DNN_BACKEND_INFERENCE_ENGINE: return "INFERENCE_ENGINE";
    case cv::dnn::DNN_BACKEND_OPENCV: return "OPENCV";
    case cv::dnn::DNN_BACKEND_VKCOM: return "VKCOM";
    case cv::dnn::DNN_BACKEND_CUDA: return "CUDA";
    case cv::dnn::DNN_BACKEND_WEBNN: return "WEBNN";
    case cv::dnn::DNN_BACKEND_TIMVX: return "TIMVX";
    default: return "backend" + std::to_string(backend);
  }
}

std::string target_name(int target) {
  switch (target) {
    case cv::dnn::DNN_TARGET_CPU: return "CPU";
    case cv::dnn::DNN_TARGET_OPENCL: return "OPENCL";
    case cv::dnn::DNN_TARGET_OPENCL_FP16: return "OPENCL_FP16";
    case cv::dnn::DNN_TARGET_MYRIAD: return "MYRIAD";
    case cv::dnn::DNN_TARGET_VULKAN: return "VULKAN";
    case cv::dnn::DNN_TARGET_FPGA: return "FPGA";
    case cv::dnn::DNN_TARGET_CUDA: return "CUDA";
    case cv::dnn::DNN_TARGET_CUDA_FP16: return "CUDA_FP16";
    case cv::dnn::DNN_TARGET_HDDL: return "HDDL";
    case cv::dnn::DNN_TARGET_NPU: return "NPU";
    default: return "target" + std::to_string(target);
  }
}

// The (backend, target) pair for a device and precision, if this OpenCV build lists it.
std::optional<std::pair<int, int>> choose_backend(const std::string& device, const std::string& precision) {
  const auto available = cv::dnn::getAvailableBackends();
  auto offered = [&](int backend, int target) {
    for (const auto& [b, t] : available) {
      if (b == backend && t == target) return true;
    }
    return false;
  };
  // int8: a QDQ file, whose quantised operators OpenCV's own CPU backend runs with its int8 layers.
  if (device == "cpu" && (precision == "fp32" || precision == "int8") &&
      offered(cv::dnn::DNN_BACKEND_OPENCV, cv::dnn::DNN_TARGET_CPU)) {
    return std::make_pair<int, int>(cv::dnn::DNN_BACKEND_OPENCV, cv::dnn::DNN_TARGET_CPU);
  }
  if (device == "cuda") {
    const int target = precision == "fp16" ? cv::dnn::DNN_TARGET_CUDA_FP16 : cv::dnn::DNN_TARGET_CUDA;
    if ((precision == "fp32" || precision == "fp16") && offered(cv::dnn::DNN_BACKEND_CUDA, target)) {
      return std::make_pair(static_cast<int>(cv::dnn::DNN_BACKEND_CUDA), target);
    }
  }
  return std::nullopt;
}

std::string offered_list() {
  std::vector<std::string> names;
  for (const auto& [b, t] : cv::dnn::getAvailableBackends()) names.push_back(backend_name(b) + "/" + target_name(t));
  return names.empty() ? "none" : join(names, ", ");
}

// OpenCV's exception text spans several lines ("OpenCV(4.6.0) file:line: error: (-2:...) in
// function ... > Node [Clip@ai.onnx]:(name) parse error: ... (expected: ...)"). The importer's
// reason is the node and the expectation (or assertion) that failed.
std::string importer_reason(const std::string& what) {
  std::string node, expected, error;
  for (const auto& raw : split(what, '\n')) {
    const std::string line = trim(raw);
    if (node.empty()) {
      if (auto pos = line.find("Node ["); pos != std::string::npos) {
        const auto end = line.find(']', pos);
        node = line.substr(pos, end == std::string::npos ? std::string::npos : end - pos + 1);
      }
    }
    if (expected.empty()) {
      if (auto pos = line.find("(expected: "); pos != std::string::npos) expected = line.substr(pos);
    }
    // The innermost error is the last "error: (-N:Kind) message in function 'f'" on a line.
    if (auto pos = line.rfind("error: ("); pos != std::string::npos) {
      std::string rest = line.substr(pos + 8);
      const auto close = rest.find(')');
      if (close == std::string::npos) continue;
      std::string kind = rest.substr(0, close);
      if (auto colon = kind.find(':'); colon != std::string::npos) kind = kind.substr(colon + 1);
      std::string message = trim(rest.substr(close + 1));
      if (auto in_fn = message.find("in function"); in_fn != std::string::npos) message = trim(message.substr(0, in_fn));
      error = message.empty() ? kind : kind + ": " + message;
    }
  }
  std::string reason = node;
  if (!expected.empty()) {
    reason += (reason.empty() ? "" : " ") + expected;
  } else if (!error.empty()) {
    reason += (reason.empty() ? "" : ": ") + error;
  }
  if (reason.empty()) {
    const auto lines = split(what, '\n');
    reason = lines.empty() ? "unknown error" : trim(lines.front());
  }
  return reason.size() > 300 ? reason.substr(0, 297) + "..." : reason;
}

class OpenCvEngine final : public Engine {
 public:
  OpenCvEngine() {
    // The importer logs every failure at ERROR level before throwing; the exception carries it.
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  }

  std::string name() const override { return "opencv"; }

  void load(const std::filesystem::path& model_path, const EngineOptions& options) override {
    path_ = model_path.string();
    require_model_file(model_path, "torchscript,onnx");
    if (options.device != "cpu" && options.device != "cuda") {
      throw Error("unknown device '" + options.device + "': choose cpu or cuda");
    }
    const auto chosen = choose_backend(options.device, options.precision);
    if (!chosen) {
      throw UnsupportedError("OpenCV " + std::string(CV_VERSION) + " offers no backend for " + options.device +
                             " " + options.precision + " here (it offers " + offered_list() +
                             "; its CPU backend computes in fp32, and in int8 the zoo's QDQ files)");
    }
    qdq_ops_for_precision(path_, options.precision);  // an unreadable file is left to the importer
    backend_ = chosen->first;
    target_ = chosen->second;
    device_ = options.device;
    precision_ = options.precision;
    cv::setNumThreads(options.threads);
    threads_ = cv::getNumThreads();
    try {
      net_ = cv::dnn::readNetFromONNX(path_);
    } catch (const cv::Exception& e) {
      const std::string what = e.what();
      // A file that is not ONNX at all is the user's error; a valid ONNX graph with an operator
      // or form OpenCV cannot import is a model this engine cannot run.
      if (what.find("Failed to parse") != std::string::npos || what.find("Can't read ONNX") != std::string::npos) {
        throw Error("'" + path_ + "' is not a readable ONNX model (" + importer_reason(what) +
                    "): export it with torch.onnx.export or 'edgejoule zoo build --formats torchscript,onnx'");
      }
      throw UnsupportedError("OpenCV " + std::string(CV_VERSION) + " cannot import '" +
                             std::filesystem::path(path_).filename().string() + "': " + importer_reason(what));
    }
    if (net_.empty()) throw Error("'" + path_ + "' holds no layers OpenCV can run");
    declared_input_ = onnx_input_shape(path_);
    net_.setPreferableBackend(backend_);
    net_.setPreferableTarget(target_);
  }

  void prepare(const std::vector<int64_t>& shape) override {
    if (net_.empty()) throw Error("internal: prepare() before load()", exit_code::kFailure);
    if (declared_input_) {
      // A shape the graph does not take (other than its batch, which a fixed-batch export
      // leaves to the zoo's check) is the user's to fix, not something OpenCV cannot run.
      std::vector<int64_t> any_batch = *declared_input_;
      if (!any_batch.empty()) any_batch[0] = -1;
      if (!shape_fits(shape, any_batch)) {
        throw Error("model '" + path_ + "' rejected input shape " + format_shape(shape) + " (its ONNX graph takes " +
                    format_shape(*declared_input_) + ", -1 = any): pass --input-shape to match");
      }
    }
    std::vector<int> dims(shape.begin(), shape.end());
    input_ = cv::Mat(static_cast<int>(dims.size()), dims.data(), CV_32F);
    cv::RNG rng(20210628);  // deterministic input: reproducible, and the same for every run
    rng.fill(input_, cv::RNG::UNIFORM, 0.0, 1.0);
    try {
      run_unchecked();
    } catch (const cv::Exception& e) {
      // Shape errors and layers that import but cannot run: OpenCV cannot run this model here.
      throw UnsupportedError("OpenCV " + std::string(CV_VERSION) + " cannot run '" +
                             std::filesystem::path(path_).filename().string() + "' on input " +
                             format_shape(shape) + ": " + importer_reason(e.what()));
    }
  }

  void run() override {
    try {
      run_unchecked();
    } catch (const cv::Exception& e) {
      throw Error("model '" + path_ + "' failed during inference (" + importer_reason(e.what()) + ")",
                  exit_code::kFailure);
    }
  }

  // A cv::dnn::Net runs one forward at a time, so N requests are N networks read from the same
  // file. OpenCV's thread count is the process's: each request gets threads / N of it, so the N
  // concurrent forwards stay within the configuration's threads.
  int prepare_requests(int requested) override {
    if (input_.empty()) throw Error("internal: prepare_requests() before prepare()", exit_code::kFailure);
    const int n = requested > 0 ? requested : std::max(1, threads_);
    if (n > threads_) {
      throw UnsupportedError(std::to_string(n) + " requests in flight need at least " + std::to_string(n) +
                             " threads in OpenCV (one each); this configuration has " + std::to_string(threads_) +
                             ": raise --threads or lower --concurrency");
    }
    requests_.clear();
    try {
      for (int i = 0; i < n; ++i) {
        Request r;
        r.net = i == 0 ? net_ : cv::dnn::readNetFromONNX(path_);
        r.net.setPreferableBackend(backend_);
        r.net.setPreferableTarget(target_);
        r.input = input_.clone();
        requests_.push_back(std::move(r));
      }
      cv::setNumThreads(std::max(1, threads_ / n));
      threads_per_request_ = cv::getNumThreads();
      // The first forward of each network allocates its layers' buffers: outside the windows.
      for (auto& r : requests_) {
        r.net.setInput(r.input);
        r.output = r.net.forward().clone();
      }
    } catch (const cv::Exception& e) {
      throw UnsupportedError("OpenCV " + std::string(CV_VERSION) + " cannot make " + std::to_string(n) +
                             " networks of '" + std::filesystem::path(path_).filename().string() +
                             "': " + importer_reason(e.what()));
    }
    return n;
  }

  void run_request(int slot) override {
    auto& r = requests_.at(static_cast<size_t>(slot));
    try {
      r.net.setInput(r.input);
      r.output = r.net.forward();
    } catch (const cv::Exception& e) {
      throw Error("model '" + path_ + "' failed during inference (" + importer_reason(e.what()) + ")",
                  exit_code::kFailure);
    }
  }

  std::vector<float> request_output(int slot) const override {
    const cv::Mat out = requests_.at(static_cast<size_t>(slot)).output;
    const cv::Mat flat = out.isContinuous() ? out : out.clone();
    return std::vector<float>(flat.ptr<float>(), flat.ptr<float>() + flat.total());
  }

  std::vector<float> infer(const std::vector<float>& input, const std::vector<int64_t>& shape,
                           int64_t* output_width) override {
    if (net_.empty()) throw Error("internal: infer() before load()", exit_code::kFailure);
    std::vector<int> dims(shape.begin(), shape.end());
    int64_t count = 1;
    for (auto d : shape) count *= d;
    if (static_cast<int64_t>(input.size()) != count) {
      throw Error("internal: infer() input of " + std::to_string(input.size()) + " values for shape " +
                  format_shape(shape), exit_code::kFailure);
    }
    cv::Mat blob(static_cast<int>(dims.size()), dims.data(), CV_32F, const_cast<float*>(input.data()));
    cv::Mat out;
    try {
      net_.setInput(blob);
      out = net_.forward();
    } catch (const cv::Exception& e) {
      throw Error("model '" + path_ + "' rejected input shape " + format_shape(shape) + " (" +
                  importer_reason(e.what()) + ")");
    }
    // Classifiers give [batch, classes]; some graphs keep trailing 1x1 dimensions.
    int64_t width = 1;
    for (int d = 1; d < out.dims; ++d) width *= out.size[d];
    if (out.dims < 2 || out.size[0] != shape[0] || out.type() != CV_32F) {
      std::vector<int64_t> got;
      for (int d = 0; d < out.dims; ++d) got.push_back(out.size[d]);
      throw Error("model '" + path_ + "' returns shape " + format_shape(got) +
                  ", not [batch, classes]: it is not a classifier edgejoule can score");
    }
    *output_width = width;
    const cv::Mat flat = out.isContinuous() ? out : out.clone();
    const auto* data = flat.ptr<float>();
    return std::vector<float>(data, data + shape[0] * width);
  }

  EffectiveSettings runtime() const override {
    EffectiveSettings rt;
    rt.engine = name();
    rt.engine_version = opencv_library_version();
    rt.device = device_;
    rt.device_name = device_;
    rt.precision = precision_;
    rt.threads = threads_;
    rt.backend = backend_name(backend_) + "/" + target_name(target_);
    rt.cuda_available = choose_backend("cuda", "fp32").has_value();
    rt.requests = requests_.empty() ? 1 : static_cast<int>(requests_.size());
    rt.threads_per_request = requests_.empty() ? threads_ : threads_per_request_;
    return rt;
  }

 private:
  void run_unchecked() {
    net_.setInput(input_);
    output_ = net_.forward();
  }

  std::string path_;
  std::optional<std::vector<int64_t>> declared_input_;
  cv::dnn::Net net_;
  int backend_ = cv::dnn::DNN_BACKEND_OPENCV;
  int target_ = cv::dnn::DNN_TARGET_CPU;
  std::string device_ = "cpu";
  std::string precision_ = "fp32";
  int threads_ = 0;
  cv::Mat input_;
  cv::Mat output_;
  struct Request {
    cv::dnn::Net net;
    cv::Mat input;
    cv::Mat output;
  };
  std::vector<Request> requests_;
  int threads_per_request_ = 1;
};

}  // namespace

std::string opencv_library_version() { return std::string("opencv ") + CV_VERSION; }

// Image folders' decoding (EngineHooks::read_image), here so that only this plugin links
// OpenCV's codecs.
bool read_image(const std::string& path, int channels, int resize, int crop, int height, int width,
                std::vector<uint8_t>& pixels, std::string& error) {
  try {
    cv::Mat image = cv::imread(path, channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    if (image.empty()) {
      error = "image '" + path + "' could not be decoded: it is damaged or not an image; remove it from the folder";
      return false;
    }
    if (channels == 3) cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    if (resize > 0) {
      const double scale = static_cast<double>(resize) / std::min(image.rows, image.cols);
      cv::resize(image, image,
                 cv::Size(std::max(1, int(image.cols * scale + 0.5)), std::max(1, int(image.rows * scale + 0.5))), 0,
                 0, cv::INTER_LINEAR);
    }
    if (crop > 0 && image.rows >= crop && image.cols >= crop) {
      image = image(cv::Rect((image.cols - crop) / 2, (image.rows - crop) / 2, crop, crop)).clone();
    }
    if (image.rows != height || image.cols != width) cv::resize(image, image, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    pixels.resize(static_cast<size_t>(height) * width * channels);
    for (int y = 0; y < height; ++y) {
      std::copy(image.ptr<uint8_t>(y), image.ptr<uint8_t>(y) + static_cast<size_t>(width) * channels,
                pixels.begin() + static_cast<ptrdiff_t>(static_cast<size_t>(y) * width * channels));
    }
    return true;
  } catch (const cv::Exception& e) {
    error = "image '" + path + "' could not be read (" + importer_reason(e.what()) + ")";
    return false;
  }
}

EngineHooks make_opencv_hooks() {
  EngineHooks hooks;
  hooks.read_image = &read_image;
  hooks.make = [] { return std::unique_ptr<Engine>(std::make_unique<OpenCvEngine>()); };
  hooks.version = &opencv_library_version;
  hooks.here = [] {
    EngineHere here{{}, {"fp32", "int8 (cpu, onnx_int8 files)"}, {}};
    for (const auto& [b, t] : cv::dnn::getAvailableBackends()) {
      here.backends.push_back(backend_name(b) + "/" + target_name(t));
      const std::string device = b == cv::dnn::DNN_BACKEND_CUDA ? "cuda" : "cpu";
      if (std::find(here.devices.begin(), here.devices.end(), device) == here.devices.end()) {
        here.devices.push_back(device);
      }
    }
    return here;
  };
  return hooks;
}

}  // namespace edgejoule

// The plugin's one exported symbol (engines/registry.h, kEngineHooksSymbol).
extern "C" __attribute__((visibility("default"))) const edgejoule::EngineHooks* edgejoule_engine_hooks_v1() {
  static const edgejoule::EngineHooks hooks = edgejoule::make_opencv_hooks();
  return &hooks;
}
