#include <fstream>
#include <sstream>

#include "platform/host.h"

namespace edgejoule {

BlasInfo classify_blas_path(const std::string& path) {
  BlasInfo info;
  info.library = path;
  if (path.find("openblas") != std::string::npos) {
    info.name = path.find("openmp") != std::string::npos    ? "openblas-openmp"
                : path.find("pthread") != std::string::npos ? "openblas-pthread"
                : path.find("serial") != std::string::npos  ? "openblas-serial"
                                                            : "openblas";
  } else if (path.find("mkl") != std::string::npos) {
    info.name = "mkl";
  } else if (path.find("blis") != std::string::npos) {
    info.name = "blis";
  } else if (path.find("atlas") != std::string::npos) {
    info.name = "atlas";
  } else if (path.find("/blas/libblas.so") != std::string::npos) {
    // Debian's netlib reference implementation lives in .../blas/libblas.so.3.
    info.name = "reference";
    info.is_reference = true;
  } else {
    info.name = "unknown";
  }
  return info;
}

BlasInfo detect_blas(const std::string& proc_maps_path) {
  std::ifstream maps(proc_maps_path);
  std::string line;
  std::string blas_path;
  std::string mkl_path;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    const auto base = path.substr(path.rfind('/') + 1);
    if (base.rfind("libblas.so", 0) == 0 || base.rfind("libopenblas", 0) == 0 ||
        base.rfind("libblis", 0) == 0) {
      // libblas.so.3 (the alternative) decides which implementation sgemm calls go to.
      if (blas_path.empty() || base.rfind("libblas.so", 0) == 0) blas_path = path;
    } else if (base.rfind("libmkl", 0) == 0 && mkl_path.empty()) {
      mkl_path = path;
    }
  }
  if (!blas_path.empty()) return classify_blas_path(blas_path);
  if (!mkl_path.empty()) return classify_blas_path(mkl_path);
  // PyTorch wheels link MKL statically: nothing shows in the maps.
  BlasInfo info;
  info.name = "unknown (none mapped; statically linked?)";
  return info;
}

}  // namespace edgejoule
