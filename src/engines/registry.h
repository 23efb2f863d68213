#pragma once
// The engine registry: one descriptor per engine edgejoule knows, written out in one table
// (engines/registry.cpp). Everything that needs to know about engines reads it: the factory,
// 'edgejoule engines', profile's flag lists, the output check's reference, the zoo build's check,
// the file an engine loads from a zoo. Adding an engine = its own .cpp + one entry there. The
// knobs an engine honours are listed with the knobs (core/config_fields.cpp).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engines/engine.h"

namespace edgejoule {

// What an engine offers on this machine, found without loading a model ('edgejoule engines').
struct EngineHere {
  std::vector<std::string> devices;     // devices it can run on here
  std::vector<std::string> precisions;  // "fp32", "fp16 (cuda)", ...
  std::vector<std::string> backends;    // backend/target pairs where the engine has several
};

// The functions an engine's own translation unit provides (absent when it is not built in).
struct EngineHooks {
  std::unique_ptr<Engine> (*make)() = nullptr;
  std::string (*version)() = nullptr;  // its library's version, without loading a model
  EngineHere (*here)() = nullptr;
};

struct EngineDescriptor {
  std::string name;           // the --engine value, stored in every configuration
  std::string library;        // what runs the model: "LibTorch", "OpenCV DNN"
  std::string model_format;   // the zoo.json format it loads ("torchscript", "onnx")
  std::string file_extension;  // of a model file given directly (".pt", ".onnx")
  // Precisions that load another file of the model (int8 -> "torchscript_int8").
  std::map<std::string, std::string> precision_formats;
  std::vector<std::string> devices;     // devices it may be asked for (others: refused as flags)
  std::vector<std::string> precisions;  // precisions it may be asked for
  // --check-outputs and the zoo build compare the other engines with this one, at fp32.
  bool output_reference = false;
  // The zoo build checks every model in this engine (load + one call) and records the verdict.
  bool zoo_check = false;
  std::string build_hint;  // how to build it in, for the message when it is not
  EngineHooks hooks;

  bool built_in() const { return hooks.make != nullptr; }
  // The zoo.json format this engine loads at `precision`.
  std::string format_for(const std::string& precision) const;
  std::string version() const { return hooks.version ? hooks.version() : ""; }
  // A new engine; throws Error saying how to build it in when it is not.
  std::unique_ptr<Engine> make() const;
};

// Every engine edgejoule knows, built in or not, in a fixed order.
const std::vector<EngineDescriptor>& engine_registry();
// The descriptor of `name`; throws Error listing the known engines for others.
const EngineDescriptor& find_engine(const std::string& name);
// The built-in engine every other is compared with (--check-outputs, zoo build), or nullptr.
const EngineDescriptor* reference_engine();
// The engine whose files have this extension (a model file given directly), or nullptr.
const EngineDescriptor* engine_for_extension(const std::string& extension);
// Devices / precisions any registered engine may be asked for (profile's flag lists).
std::vector<std::string> registered_devices();
std::vector<std::string> registered_precisions();

}  // namespace edgejoule
