#include <algorithm>

#include "common/error.h"
#include "common/strings.h"
#include "engines/engine.h"

namespace edgejoule {

std::vector<std::string> available_engines() {
  std::vector<std::string> names;
#ifdef EDGEJOULE_HAVE_TORCH
  names.emplace_back("torchscript");
#endif
#ifdef EDGEJOULE_HAVE_OPENCV_DNN
  names.emplace_back("opencv");
#endif
  return names;
}

namespace {
std::string engine_list() {
  const std::string list = join(available_engines(), ", ");
  return list.empty() ? "none (this build has no engine)" : list;
}
}  // namespace

std::unique_ptr<Engine> make_engine(const std::string& name) {
#ifdef EDGEJOULE_HAVE_TORCH
  if (name == "torchscript") return make_torchscript_engine();
#endif
#ifdef EDGEJOULE_HAVE_OPENCV_DNN
  if (name == "opencv") return make_opencv_engine();
#endif
  if (name == "torchscript") {
    throw Error("engine 'torchscript' is not built in: reconfigure with -DEDGEJOULE_WITH_TORCH=ON");
  }
  if (name == "opencv") {
    throw Error("engine 'opencv' is not built in: install libopencv-dev and reconfigure with "
                "-DEDGEJOULE_WITH_OPENCV=ON");
  }
  throw Error("unknown engine '" + name + "': choose one of " + engine_list());
}

std::vector<EngineDescription> describe_engines() {
  std::vector<EngineDescription> out;
#ifdef EDGEJOULE_HAVE_TORCH
  {
    EngineDescription d{"torchscript", torchscript_library_version(), "torchscript (.pt); torchscript_int8 for int8",
                        {"cpu"}, {"fp32", "bf16", "int8 (cpu, a dynamically quantised export)"}, {},
                        {"--optimize", "--memory-format"}};
    if (make_torchscript_engine()->runtime().cuda_available) {
      d.devices.emplace_back("cuda");
      d.precisions.emplace_back("fp16 (cuda)");
    }
    out.push_back(std::move(d));
  }
#endif
#ifdef EDGEJOULE_HAVE_OPENCV_DNN
  {
    EngineDescription d{"opencv", opencv_library_version(), "onnx (.onnx)", {}, {"fp32"}, opencv_backends(), {}};
    for (const auto& b : d.backends) {
      const std::string device = b.rfind("CUDA", 0) == 0 ? "cuda" : "cpu";
      if (std::find(d.devices.begin(), d.devices.end(), device) == d.devices.end()) d.devices.push_back(device);
    }
    out.push_back(std::move(d));
  }
#endif
  return out;
}

std::string engine_library_version(const std::string& name) {
#ifdef EDGEJOULE_HAVE_TORCH
  if (name == "torchscript") return torchscript_library_version();
#endif
#ifdef EDGEJOULE_HAVE_OPENCV_DNN
  if (name == "opencv") return opencv_library_version();
#endif
  (void)name;
  return {};
}

}  // namespace edgejoule
