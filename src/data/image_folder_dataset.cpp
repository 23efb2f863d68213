// Image folders decoded with OpenCV. This is the only translation unit that includes OpenCV
// headers outside the engines. Preprocessing follows torchvision's classification presets:
// resize the shorter side (bilinear), centre-crop, scale to [0, 1], normalise per channel, CHW.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/error.h"
#include "common/strings.h"
#include "data/dataset.h"

#ifdef EDGEJOULE_HAVE_OPENCV
#include "engines/registry.h"
#endif

namespace edgejoule {
namespace fs = std::filesystem;

#ifdef EDGEJOULE_HAVE_OPENCV
namespace {

bool is_image(const fs::path& p) {
  const std::string ext = to_lower(p.extension().string());
  static const std::set<std::string> kExt = {".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".pgm", ".pnm", ".tif", ".tiff", ".webp"};
  return kExt.count(ext) > 0;
}

class ImageFolderDataset final : public Dataset {
 public:
  ImageFolderDataset(const std::string& dir, size_t limit, int classes) : dir_(dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw Error("image folder '" + dir + "' does not exist or is not a directory");
    const fs::path csv = fs::path(dir) / "labels.csv";
    if (fs::exists(csv, ec)) {
      read_csv(csv.string());
    } else {
      read_class_folders();
    }
    if (samples_.empty()) throw Error("image folder '" + dir + "' holds no images (.jpg, .png, .ppm, ...)");
    if (classes > 0) {
      if (classes < classes_) {
        throw Error(fmt::format("image folder '{}' has labels up to {} but classes={} was given", dir, classes_ - 1, classes));
      }
      classes_ = classes;
    }
    if (limit > 0 && limit < samples_.size()) samples_.resize(limit);
  }

  std::string name() const override { return "imagefolder:" + dir_; }
  size_t size() const override { return samples_.size(); }
  int classes() const override { return classes_; }
  std::vector<int64_t> sample_shape() const override { return {}; }
  int label(size_t index) const override { return samples_.at(index).label; }

  void fill(size_t index, const Preprocess& p, const std::vector<int64_t>& shape, float* out) const override {
    const auto& path = samples_.at(index).path;
    if (shape.size() != 3 || (shape[0] != 1 && shape[0] != 3)) {
      throw Error("image folders feed models taking [channels (1 or 3), height, width], not " + format_shape(shape));
    }
    const int channels = static_cast<int>(shape[0]);
    const int height = static_cast<int>(shape[1]);
    const int width = static_cast<int>(shape[2]);
    // Decoded by the OpenCV plugin, loaded on first use: only commands reading image folders load
    // OpenCV's codecs.
    const auto read = find_engine("opencv").hooks().read_image;
    if (!read) throw Error("the opencv plugin cannot decode images: rebuild (make build)", exit_code::kFailure);
    std::vector<uint8_t> pixels;
    std::string error;
    if (!read(path, channels, p.resize, p.crop, height, width, pixels, error)) throw Error(error);
    for (int c = 0; c < channels; ++c) {
      const double mean = c < static_cast<int>(p.mean.size()) ? p.mean[c] : 0.0;
      const double sd = c < static_cast<int>(p.std.size()) ? p.std[c] : 1.0;
      for (int y = 0; y < height; ++y) {
        const uint8_t* row = pixels.data() + static_cast<size_t>(y) * width * channels;
        for (int x = 0; x < width; ++x) {
          out[(static_cast<size_t>(c) * height + y) * width + x] =
              static_cast<float>((row[x * channels + c] * p.pixel_scale - mean) / sd);
        }
      }
    }
  }

 private:
  struct Sample {
    std::string path;
    int label;
  };

  void read_class_folders() {
    std::vector<std::string> folders;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
      if (e.is_directory()) folders.push_back(e.path().filename().string());
    }
    std::sort(folders.begin(), folders.end());
    std::map<std::string, int> index;
    const fs::path listed = fs::path(dir_) / "classes.txt";
    if (fs::exists(listed, ec)) {
      std::ifstream in(listed);
      std::string line;
      while (std::getline(in, line)) {
        const std::string name = trim(line);
        if (!name.empty() && !index.count(name)) index[name] = static_cast<int>(index.size());
      }
      for (const auto& f : folders) {
        if (!index.count(f)) {
          throw Error("image folder '" + dir_ + "' has a class folder '" + f + "' that " + listed.string() +
                      " does not list: add it there or move it out");
        }
      }
    } else {
      for (const auto& f : folders) index[f] = static_cast<int>(index.size());
    }
    classes_ = static_cast<int>(index.size());
    for (const auto& f : folders) {
      std::vector<std::string> files;
      for (const auto& e : fs::directory_iterator(fs::path(dir_) / f, ec)) {
        if (e.is_regular_file() && is_image(e.path())) files.push_back(e.path().string());
      }
      std::sort(files.begin(), files.end());
      for (auto& file : files) samples_.push_back({std::move(file), index[f]});
    }
  }

  void read_csv(const std::string& csv) {
    std::ifstream in(csv);
    std::string line;
    int line_number = 0;
    int max_label = -1;
    while (std::getline(in, line)) {
      ++line_number;
      const std::string t = trim(line);
      if (line_number == 1) {
        if (t != "file,label") throw Error(csv + " line 1: the header must be 'file,label'");
        continue;
      }
      if (t.empty()) continue;
      const auto comma = t.rfind(',');
      const auto label = comma == std::string::npos ? std::nullopt : parse_int(t.substr(comma + 1));
      if (!label || *label < 0 || *label > 1000000) {
        throw Error(fmt::format("{} line {}: expected file,label with a non-negative integer label", csv, line_number));
      }
      const fs::path file = fs::path(dir_) / trim(t.substr(0, comma));
      samples_.push_back({file.string(), static_cast<int>(*label)});
      max_label = std::max(max_label, static_cast<int>(*label));
    }
    classes_ = max_label + 1;
  }

  std::string dir_;
  std::vector<Sample> samples_;
  int classes_ = 0;
};

}  // namespace

std::unique_ptr<Dataset> make_image_folder_dataset(const std::string& dir, size_t limit, int classes) {
  return std::make_unique<ImageFolderDataset>(dir, limit, classes);
}
#else
std::unique_ptr<Dataset> make_image_folder_dataset(const std::string&, size_t, int) {
  throw Error("this edgejoule was built without OpenCV, which image folders need: install libopencv-dev "
              "and reconfigure with -DEDGEJOULE_WITH_OPENCV=ON");
}
#endif

}  // namespace edgejoule
