// IDX files: any bytes as the images file (with a matching or not labels file) give a dataset
// or an Error, never a crash; a dataset's samples can all be read.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "data/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = "/tmp/edgejoule-fuzz-idx-" + std::to_string(getpid());
  static const bool made = [] { return system(("mkdir -p " + dir).c_str()) == 0; }();
  (void)made;
  const std::string images = dir + "/images", labels = dir + "/labels";
  std::ofstream(images, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  // Labels: the first bytes of the input read as a small IDX1 file, so counts sometimes match.
  const uint8_t n = size > 0 ? data[0] % 8 : 0;
  std::string lab = {0, 0, 8, 1, 0, 0, 0, static_cast<char>(n)};
  for (uint8_t i = 0; i < n; ++i) lab.push_back(static_cast<char>(i % 10));
  std::ofstream(labels, std::ios::binary) << lab;
  try {
    auto ds = edgejoule::make_idx_dataset("fuzz", images, labels, 0);
    const auto shape = ds->sample_shape();
    std::vector<float> out(static_cast<size_t>(shape[0] * shape[1] * shape[2]));
    for (size_t i = 0; i < ds->size(); ++i) {
      ds->fill(i, edgejoule::Preprocess{}, shape, out.data());
      if (ds->label(i) < 0 || ds->label(i) >= ds->classes()) __builtin_trap();
    }
  } catch (const edgejoule::Error&) {
  }
  return 0;
}
