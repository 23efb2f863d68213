// IDX, the MNIST file format: a big-endian header (0, 0, type 0x08 = unsigned byte, number of
// dimensions, then each dimension as uint32) followed by the bytes. Read through zlib, which
// reads gzip and plain files alike.

#include <zlib.h>

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "common/error.h"
#include "common/strings.h"
#include "data/dataset.h"

namespace edgejoule {
namespace {

struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};

IdxArray read_idx(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error("dataset file '" + path + "' does not exist" +
                (path.find("fashion-mnist") != std::string::npos ? ": install dataset-fashion-mnist (make deps does)" : ""));
  }
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) throw Error("cannot open dataset file '" + path + "'");
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  int n;
  while ((n = gzread(file, chunk, sizeof(chunk))) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
  int err = 0;
  const char* message = gzerror(file, &err);
  const std::string why = (n < 0 || (err != Z_OK && err != Z_STREAM_END)) ? (message ? message : "read error") : "";
  gzclose(file);
  if (!why.empty()) throw Error("dataset file '" + path + "' is damaged (" + why + "): reinstall or replace it");

  auto bad = [&](const std::string& what) -> IdxArray {
    throw Error("dataset file '" + path + "' is not a valid IDX file: " + what);
  };
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0) return bad("wrong magic number");
  if (bytes[2] != 0x08) return bad(fmt::format("element type 0x{:02x}, only unsigned bytes (0x08) are supported", bytes[2]));
  const size_t ndims = bytes[3];
  if (ndims < 1 || ndims > 4) return bad(fmt::format("{} dimensions", ndims));
  const size_t header = 4 + 4 * ndims;
  if (bytes.size() < header) return bad("truncated header");
  IdxArray out;
  uint64_t count = 1;
  for (size_t i = 0; i < ndims; ++i) {
    const uint8_t* p = bytes.data() + 4 + 4 * i;
    const uint32_t d = (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
    if (d == 0 || d > (1u << 28)) return bad(fmt::format("dimension {} is {}", i, d));
    out.dims.push_back(d);
    count *= d;
    if (count > (uint64_t(1) << 34)) return bad("implausibly large");
  }
  if (bytes.size() - header != count) {
    return bad(fmt::format("the header promises {} bytes of data but the file holds {} (truncated?)", count,
                           bytes.size() - header));
  }
  out.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return out;
}

class IdxDataset final : public Dataset {
 public:
  IdxDataset(std::string name, const std::string& images_path, const std::string& labels_path, size_t limit)
      : name_(std::move(name)) {
    images_ = read_idx(images_path);
    labels_ = read_idx(labels_path);
    if (images_.dims.size() != 3) {
      throw Error(fmt::format("dataset file '{}' holds {} dimensions; images need 3 (count, rows, columns)",
                              images_path, images_.dims.size()));
    }
    if (labels_.dims.size() != 1) {
      throw Error(fmt::format("dataset file '{}' holds {} dimensions; labels need 1", labels_path, labels_.dims.size()));
    }
    if (images_.dims[0] != labels_.dims[0]) {
      throw Error(fmt::format("dataset '{}' has {} images in '{}' but {} labels in '{}': the files do not belong together",
                              name_, images_.dims[0], images_path, labels_.dims[0], labels_path));
    }
    int max_label = 0;
    for (uint8_t l : labels_.data) max_label = std::max<int>(max_label, l);
    classes_ = max_label + 1;
    size_ = images_.dims[0];
    if (limit > 0 && limit < size_) size_ = limit;
  }

  std::string name() const override { return name_; }
  size_t size() const override { return size_; }
  int classes() const override { return classes_; }
  std::vector<int64_t> sample_shape() const override { return {1, images_.dims[1], images_.dims[2]}; }
  int label(size_t index) const override { return labels_.data.at(index); }
  void fill(size_t index, const Preprocess& p, const std::vector<int64_t>&, float* out) const override {
    const size_t pixels = size_t(images_.dims[1]) * images_.dims[2];
    const uint8_t* src = images_.data.data() + index * pixels;
    const double mean = p.mean.empty() ? 0.0 : p.mean[0];
    const double sd = p.std.empty() ? 1.0 : p.std[0];
    for (size_t i = 0; i < pixels; ++i) out[i] = static_cast<float>((src[i] * p.pixel_scale - mean) / sd);
  }

 private:
  std::string name_;
  IdxArray images_;
  IdxArray labels_;
  int classes_ = 0;
  size_t size_ = 0;
};

}  // namespace

std::unique_ptr<Dataset> make_idx_dataset(const std::string& name, const std::string& images_path,
                                          const std::string& labels_path, size_t limit) {
  return std::make_unique<IdxDataset>(name, images_path, labels_path, limit);
}

std::unique_ptr<Dataset> make_dataset(const std::string& spec) {
  // Options after the first comma-separated "key=value": limit=N, classes=N.
  std::string base;
  size_t limit = 0;
  int classes = 0;
  for (const auto& part : split(spec, ',')) {
    if (starts_with(part, "limit=") || starts_with(part, "classes=")) {
      const auto n = parse_int(part.substr(part.find('=') + 1));
      if (!n || *n <= 0) {
        throw Error("invalid --dataset '" + spec + "': " + part.substr(0, part.find('=')) +
                    " must be a positive integer");
      }
      if (starts_with(part, "limit=")) limit = static_cast<size_t>(*n);
      else classes = static_cast<int>(*n);
    } else {
      base += (base.empty() ? "" : ",") + part;
    }
  }
  if (base == "fmnist:test" || base == "fmnist:train") {
    const char* env = std::getenv("EDGEJOULE_FMNIST_DIR");
    const std::string dir = env && *env ? env : "/usr/share/datasets/fashion-mnist";
    const std::string prefix = base == "fmnist:test" ? "t10k" : "train";
    return make_idx_dataset(base, dir + "/" + prefix + "-images-idx3-ubyte.gz",
                            dir + "/" + prefix + "-labels-idx1-ubyte.gz", limit);
  }
  if (starts_with(base, "idx:")) {
    const auto files = split(base.substr(4), ',');
    if (files.size() != 2) throw Error("invalid --dataset '" + spec + "': use idx:IMAGES,LABELS[,limit=N]");
    return make_idx_dataset(base, files[0], files[1], limit);
  }
  if (starts_with(base, "imagefolder:")) return make_image_folder_dataset(base.substr(12), limit, classes);
  throw Error("unknown dataset '" + spec +
              "': choose fmnist:test, fmnist:train, idx:IMAGES,LABELS or imagefolder:DIR (add ,limit=N)");
}

}  // namespace edgejoule
