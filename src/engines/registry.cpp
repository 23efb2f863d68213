// The one table of engines. Each engine's translation unit (the only one that includes its
// library's headers) defines its hooks; an engine that is not built in keeps empty hooks and
// the rest of the entry, so flags and messages still know it.
#include "engines/registry.h"

#include <algorithm>
#include <filesystem>

#include "common/error.h"
#include "common/strings.h"

namespace edgejoule {

// The plugins CMake built (EDGEJOULE_PLUGIN_<ENGINE>: the file name); an engine without one keeps
// the rest of its entry, so flags and messages still know it.
#ifndef EDGEJOULE_PLUGIN_TORCHSCRIPT
#define EDGEJOULE_PLUGIN_TORCHSCRIPT ""
#endif
#ifndef EDGEJOULE_PLUGIN_OPENCV
#define EDGEJOULE_PLUGIN_OPENCV ""
#endif
#ifndef EDGEJOULE_PLUGIN_OPENVINO
#define EDGEJOULE_PLUGIN_OPENVINO ""
#endif
#ifndef EDGEJOULE_PLUGIN_ONNXRUNTIME
#define EDGEJOULE_PLUGIN_ONNXRUNTIME ""
#endif

const std::vector<EngineDescriptor>& engine_registry() {
  static const std::vector<EngineDescriptor> table = {
      {"torchscript", "LibTorch", "torchscript", ".pt", {{"int8", "torchscript_int8"}}, {"cpu", "cuda"},
       {"fp32", "fp16", "bf16", "int8"}, /*output_reference=*/true, /*zoo_check=*/false,
       "reconfigure with -DEDGEJOULE_WITH_TORCH=ON", EDGEJOULE_PLUGIN_TORCHSCRIPT},
      {"opencv", "OpenCV DNN", "onnx", ".onnx", {{"int8", "onnx_int8"}}, {"cpu", "cuda"}, {"fp32", "int8"}, /*output_reference=*/false,
       /*zoo_check=*/true, "install libopencv-dev and reconfigure with -DEDGEJOULE_WITH_OPENCV=ON",
       EDGEJOULE_PLUGIN_OPENCV},
      {"openvino", "OpenVINO", "onnx", ".onnx", {{"int8", "openvino_int8"}}, {"cpu", "gpu", "npu"},
       {"fp32", "bf16", "fp16", "int8"}, /*output_reference=*/false, /*zoo_check=*/true,
       "OpenVINO's C++ package was not found when configuring: 'make deps' installs the pinned openvino wheel "
       "into .venv (it needs PyPI), then reconfigure (rm -rf build; make build)",
       EDGEJOULE_PLUGIN_OPENVINO},
      {"onnxruntime", "ONNX Runtime", "onnx", ".onnx", {{"int8", "onnx_int8"}}, {"cpu", "cuda"}, {"fp32", "int8"},
       /*output_reference=*/false, /*zoo_check=*/true,
       "it needs the pinned onnxruntime wheel in .venv and ONNX Runtime's headers in .deps/: 'make deps' fetches "
       "both (PyPI and Debian's archive), then reconfigure (rm -rf build; make build)",
       EDGEJOULE_PLUGIN_ONNXRUNTIME},
  };
  return table;
}

std::string EngineDescriptor::format_for(const std::string& precision) const {
  const auto it = precision_formats.find(precision);
  return it == precision_formats.end() ? model_format : it->second;
}

std::unique_ptr<Engine> EngineDescriptor::make() const { return hooks().make(); }

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

std::vector<std::string> built_in_formats() {
  std::vector<std::string> out = {"torchscript"};
  auto add = [&](const std::string& format) {
    if (std::find(out.begin(), out.end(), format) == out.end()) out.push_back(format);
  };
  for (const auto& e : engine_registry()) {
    if (!e.built_in()) continue;
    add(e.model_format);
    for (const auto& [precision, format] : e.precision_formats) add(format);
  }
  return out;
}

std::vector<std::string> registered_devices() { return union_of(&EngineDescriptor::devices); }
std::vector<std::string> registered_precisions() { return union_of(&EngineDescriptor::precisions); }

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
    const EngineHere here = e.hooks().here ? e.hooks().here() : EngineHere{};
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
