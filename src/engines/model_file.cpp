// What every engine plugin shares with the program: compiled into each plugin (the engine kit)
// as well as into edgejoule_engines.
#include <filesystem>

#include "common/error.h"
#include "engines/engine.h"

namespace edgejoule {

void require_model_file(const std::filesystem::path& path, const std::string& formats) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error("model file '" + path.string() + "' does not exist: check the path, or build a zoo with "
                "'edgejoule zoo build --formats " + formats + "'");
  }
}

}  // namespace edgejoule
