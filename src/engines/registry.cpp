// The one table of engines. Each engine's translation unit (the only one that includes its
// library's headers) defines its hooks; an engine that is not built in keeps empty hooks and
// the rest of the entry, so flags and messages still know it.
#include "engines/registry.h"

#include <algorithm>
#include <filesystem>

#include "common/error.h"
#include "common/strings.h"

namespace edgejoule {

#ifdef EDGEJOULE_HAVE_TORCH
EngineHooks torchscript_engine_hooks();  // engines/torchscript_engine.cpp
#endif
#ifdef EDGEJOULE_HAVE_OPENCV_DNN
EngineHooks opencv_engine_hooks();  // engines/opencv_engine.cpp
#endif
#ifdef EDGEJOULE_HAVE_OPENVINO
EngineHooks openvino_engine_hooks();  // engines/openvino_engine.cpp
#endif

const std::vector<EngineDescriptor>& engine_registry() {
  static const std::vector<EngineDescriptor> table = {
      {"torchscript", "LibTorch", "torchscript", ".pt", {{"int8", "torchscript_int8"}}, {"cpu", "cuda"},
       {"fp32", "fp16", "bf16", "int8"}, /*output_reference=*/true, /*zoo_check=*/false, "reconfigure with -DEDGEJOULE_WITH_TORCH=ON",
#ifdef EDGEJOULE_HAVE_TORCH
       torchscript_engine_hooks()
#else
       {}
#endif
      },
      {"opencv", "OpenCV DNN", "onnx", ".onnx", {}, {"cpu", "cuda"}, {"fp32"}, /*output_reference=*/false, /*zoo_check=*/true,
       "install libopencv-dev and reconfigure with -DEDGEJOULE_WITH_OPENCV=ON",
#ifdef EDGEJOULE_HAVE_OPENCV_DNN
       opencv_engine_hooks()
#else
       {}
#endif
      },
      {"openvino", "OpenVINO", "onnx", ".onnx", {{"int8", "openvino_int8"}}, {"cpu", "gpu", "npu"},
       {"fp32", "bf16", "fp16", "int8"}, /*output_reference=*/false, /*zoo_check=*/true,
       "OpenVINO's C++ package was not found when configuring: 'make deps' installs the pinned openvino wheel "
       "into .venv (it needs PyPI), then reconfigure (rm -rf build; make build)",
#ifdef EDGEJOULE_HAVE_OPENVINO
       openvino_engine_hooks()
#else
       {}
#endif
      },
  };
  return table;
}

std::string EngineDescriptor::format_for(const std::string& precision) const {
  const auto it = precision_formats.find(precision);
  return it == precision_formats.end() ? model_format : it->second;
}

std::unique_ptr<Engine> EngineDescriptor::make() const {
  if (!built_in()) throw Error("engine '" + name + "' is not built in: " + build_hint);
  return hooks.make();
}

namespace {
const EngineDescriptor* engine_named(const std::string& name) {
  for (const auto& e : engine_registry()) {
    if (e.name == name) return &e;
  }
  return nullptr;
}
}  // namespace

const EngineDescriptor& find_engine(const std::string& name) {
  const EngineDescriptor* e = engine_named(name);
  if (!e) throw Error("unknown engine '" + name + "': choose one of " + join(known_engines(), ", "));
  return *e;
}

const EngineDescriptor* reference_engine() {
  for (const auto& e : engine_registry()) {
    if (e.output_reference && e.built_in()) return &e;
  }
  return nullptr;
}

const EngineDescriptor* engine_for_extension(const std::string& extension) {
  for (const auto& e : engine_registry()) {
    if (e.file_extension == extension) return &e;
  }
  return nullptr;
}

namespace {
std::vector<std::string> union_of(std::vector<std::string> EngineDescriptor::*field) {
  std::vector<std::string> out;
  for (const auto& e : engine_registry()) {
    for (const auto& v : e.*field) {
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
  }
  return out;
}
}  // namespace

std::vector<std::string> registered_devices() { return union_of(&EngineDescriptor::devices); }
std::vector<std::string> registered_precisions() { return union_of(&EngineDescriptor::precisions); }

void require_model_file(const std::filesystem::path& path, const std::string& formats) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error("model file '" + path.string() + "' does not exist: check the path, or build a zoo with "
                "'edgejoule zoo build --formats " + formats + "'");
  }
}

// The factory functions of engine.h, on the table.
std::vector<std::string> known_engines() {
  std::vector<std::string> names;
  for (const auto& e : engine_registry()) names.push_back(e.name);
  return names;
}

std::vector<std::string> available_engines() {
  std::vector<std::string> names;
  for (const auto& e : engine_registry()) {
    if (e.built_in()) names.push_back(e.name);
  }
  return names;
}

std::unique_ptr<Engine> make_engine(const std::string& name) { return find_engine(name).make(); }

std::string engine_model_format(const std::string& engine, const std::string& precision) {
  return find_engine(engine).format_for(precision);
}

std::string engine_library_version(const std::string& name) {
  const EngineDescriptor* e = engine_named(name);
  return e ? e->version() : "";  // "": an engine of a newer edgejoule, named in a store
}

std::vector<EngineDescription> describe_engines() {
  std::vector<EngineDescription> out;
  for (const auto& e : engine_registry()) {
    if (!e.built_in()) continue;
    const EngineHere here = e.hooks.here ? e.hooks.here() : EngineHere{};
    std::string formats = e.model_format + " (" + e.file_extension + ")";
    for (const auto& [precision, format] : e.precision_formats) formats += "; " + format + " for " + precision;
    // Its own knobs are the configuration fields that name it (core/config_fields.cpp).
    std::vector<std::string> knobs;
    for (const auto& field : config_fields()) {
      if (std::find(field.engines.begin(), field.engines.end(), e.name) != field.engines.end()) {
        knobs.push_back(field.flag);
      }
    }
    out.push_back({e.name, e.version(), formats, here.devices, here.precisions, here.backends, knobs});
  }
  return out;
}

}  // namespace edgejoule
