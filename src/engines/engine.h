#pragma once
// An engine runs one model: load it, prepare an input of a given shape, run forward calls.
// The profiler knows nothing else about it (the loadgen "SystemUnderTest" idea), and no header
// here includes an engine library's headers, so only the engine's own .cpp pays for them.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/engine_settings.h"

namespace edgejoule {

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;
  // Throws Error (file missing / not this engine's format, naming the file) or
  // UnsupportedError (device or precision this engine or build cannot do).
  virtual void load(const std::filesystem::path& model_path, const EngineOptions& options) = 0;
  // Allocates a deterministic input of `shape` (leading dimension = batch) and runs one call to
  // check the model accepts it; throws Error naming the model and shape when it does not.
  virtual void prepare(const std::vector<int64_t>& shape) = 0;
  // One forward call on the prepared input; returns once the result is complete on the device
  // (GPU work synchronised), so a timer around it measures the whole call.
  virtual void run() = 0;
  // Requests in flight (the offline and server scenarios), after prepare(): makes `requested`
  // requests over the loaded model (0: the engine's own optimum), each with its own copy of the
  // prepared input and its own output, within the configuration's threads (LibTorch and OpenCV
  // divide them among the requests; OpenVINO spreads its requests over its streams). Returns
  // how many it made. Throws UnsupportedError when it cannot run that many within its threads.
  virtual int prepare_requests(int requested) = 0;
  // One forward call on request `slot` (0 <= slot < prepare_requests()'s result), complete when
  // it returns. Calls on different slots may run at once on different threads; the harness
  // never runs one slot on two threads at once.
  virtual void run_request(int slot) = 0;
  // Request `slot`'s last output as float32, flattened: requests in flight must compute what one
  // request does (the conformance suite compares them).
  virtual std::vector<float> request_output(int slot) const = 0;
  // Runs `input` (float32, row-major, `shape` with the batch first) through the model in the
  // loaded precision and returns the output as float32 [batch x width]. For accuracy, not for
  // timing. Throws Error when the model rejects the shape or does not return one 2-D tensor.
  virtual std::vector<float> infer(const std::vector<float>& input, const std::vector<int64_t>& shape,
                                   int64_t* output_width) = 0;
  virtual EffectiveSettings runtime() const = 0;
};

// Throws Error (exit 2) naming `path` when it is not a file: "model file '...' does not exist:
// check the path, or build a zoo with 'edgejoule zoo build --formats <formats>'".
void require_model_file(const std::filesystem::path& path, const std::string& formats);

// The factory and what it knows, on the engine registry (engines/registry.h, one table).
// make_engine throws Error listing the known engines for an unknown name, and saying how to
// build it in for a known engine that is not.
std::unique_ptr<Engine> make_engine(const std::string& name);
std::vector<std::string> available_engines();  // built in, in the registry's order
// Every engine edgejoule knows, built in or not (for flags and messages).
std::vector<std::string> known_engines();
// The model file format an engine loads for a precision, as named in zoo.json's "files"
// (torchscript -> torchscript, or torchscript_int8 for int8; opencv -> onnx). Throws Error for
// an unknown engine.
std::string engine_model_format(const std::string& engine, const std::string& precision = "fp32");
// Version string of an engine's library without loading a model (empty when not built in or
// not known to this build).
std::string engine_library_version(const std::string& name);

// What a built-in engine offers here, without loading a model ('edgejoule engines').
struct EngineDescription {
  std::string name;
  std::string version;
  std::string model_format;                 // the zoo.json format it loads
  std::vector<std::string> devices;         // devices it can run on this machine
  std::vector<std::string> precisions;      // "fp32", "bf16 (cpu, cuda)", ...
  std::vector<std::string> backends;        // backend/target pairs where the engine has several
  std::vector<std::string> knobs;           // engine-specific knobs it honours
};
std::vector<EngineDescription> describe_engines();

}  // namespace edgejoule
