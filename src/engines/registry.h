#pragma once
// The engine registry: one descriptor per engine edgejoule knows, written out in one table
// (engines/registry.cpp). Everything that needs to know about engines reads it: the factory,
// 'edgejoule engines', profile's flag lists, the output check's reference, the zoo build's check,
// the file an engine loads from a zoo. Adding an engine = its own .cpp + one entry there. The
// knobs an engine honours are listed with the knobs (core/config_fields.cpp).
//
// Each engine built in is a plugin: a shared library of its own (libedgejoule_engine_<name>.so,
// linking its heavy library: LibTorch, OpenCV, OpenVINO, ONNX Runtime) that is loaded with
// dlopen the first time a command needs that engine, so commands that run no model (list,
// recommend, --version) never load them.

#include <cstdint>
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

// The functions an engine's plugin provides: its one exported symbol,
//   extern "C" const EngineHooks* edgejoule_engine_hooks_v1();
// returns them (kEngineHooksSymbol). The version suffix changes with this struct.
struct EngineHooks {
  std::unique_ptr<Engine> (*make)() = nullptr;
  std::string (*version)() = nullptr;  // its library's version, without loading a model
  EngineHere (*here)() = nullptr;
  // Optional: reads an image file as 8-bit pixels of `channels` (1, or 3 in RGB order) at
  // height x width, row by row: the shorter side scaled to `resize` and a centred `crop` first
  // where they are above 0 (torchvision's presets). The OpenCV plugin offers it for image-folder
  // datasets. Returns false with `error` for a file it cannot decode.
  bool (*read_image)(const std::string& path, int channels, int resize, int crop, int height, int width,
                     std::vector<uint8_t>& pixels, std::string& error) = nullptr;
};
inline constexpr const char* kEngineHooksSymbol = "edgejoule_engine_hooks_v1";

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
  // Its plugin's file name ("libedgejoule_engine_torchscript.so"); empty when not built in.
  std::string plugin;

  bool built_in() const { return !plugin.empty(); }
  // The plugin's functions, loaded on first use (engines/plugins.cpp); throws Error saying how to
  // build it in when it is not, and why when its library cannot be loaded.
  const EngineHooks& hooks() const;
  // The zoo.json format this engine loads at `precision`.
  std::string format_for(const std::string& precision) const;
  std::string version() const;  // "" when not built in or its plugin cannot be loaded
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
// Where plugins are looked for, in order: $EDGEJOULE_ENGINE_DIR, the running program's directory,
// the build's output directory.
std::vector<std::string> engine_plugin_dirs();
// A folder searched for plugins before the binary's (after $EDGEJOULE_ENGINE_DIR): the Python
// package's, whose plugins lie beside its module rather than beside an executable.
void add_engine_plugin_dir(const std::string& dir);
// Whether an engine's plugin is loaded in this process (for tests of lazy loading).
bool engine_plugin_loaded(const std::string& name);

// The zoo formats the built-in engines load, at every precision they may be asked for
// (torchscript first): what `zoo build --formats engines` exports. Loads no plugin.
std::vector<std::string> built_in_formats();

// Devices / precisions any registered engine may be asked for (profile's flag lists).
std::vector<std::string> registered_devices();
std::vector<std::string> registered_precisions();

}  // namespace edgejoule
