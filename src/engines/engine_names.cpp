// Engine names and the file formats they load: no engine library needed, so the core (and the
// manifest code) can use them while the factory lives with the engines it builds.
#include "common/error.h"
#include "common/strings.h"
#include "engines/engine.h"

namespace edgejoule {

std::vector<std::string> known_engines() { return {"torchscript", "opencv"}; }

std::string engine_model_format(const std::string& engine, const std::string& precision) {
  if (engine == "torchscript") return precision == "int8" ? "torchscript_int8" : "torchscript";
  if (engine == "opencv") return "onnx";
  throw Error("unknown engine '" + engine + "': choose one of " + join(known_engines(), ", "));
}

}  // namespace edgejoule
