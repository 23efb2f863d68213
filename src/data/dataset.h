#pragma once
// Labelled datasets and the accuracy of an engine on them. A dataset hands out samples already
// preprocessed to the model's input (floats, one sample's shape) with their labels.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edgejoule {

class Engine;
struct ModelInfo;

struct Preprocess {
  double pixel_scale = 1.0 / 255.0;  // raw byte x this
  std::vector<double> mean;          // per channel, after scaling; empty = none
  std::vector<double> std;
  int resize = 0;                    // images: shorter side to this first (0 = straight to the input size)
  int crop = 0;                      // images: then a centred square of this side (0 = none)
};

// A model's preprocessing as its zoo manifest gives it.
Preprocess preprocess_of(const ModelInfo& model);

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::string name() const = 0;            // "fmnist:test"
  virtual size_t size() const = 0;                 // after any limit
  virtual int classes() const = 0;
  // e.g. {1, 28, 28}; empty when samples are made to the model's shape (image folders).
  virtual std::vector<int64_t> sample_shape() const = 0;
  virtual int label(size_t index) const = 0;
  // Writes sample `index`, shaped `shape` (one sample, channels first), into `out`; throws
  // Error naming the file when a sample cannot be read.
  virtual void fill(size_t index, const Preprocess& preprocess, const std::vector<int64_t>& shape,
                    float* out) const = 0;
};

// IDX files (gzip or plain): an images file of unsigned bytes [N, H, W] and a labels file [N].
// Throws Error naming the file when it is missing, truncated, not IDX, or the counts differ.
std::unique_ptr<Dataset> make_idx_dataset(const std::string& name, const std::string& images_path,
                                          const std::string& labels_path, size_t limit);

// Images decoded with OpenCV: DIR/<class>/<image> (classes in sorted order, or in the order of
// DIR/classes.txt, one name per line, where any other folder is an error), or DIR/labels.csv
// with the header file,label (integer labels). `classes` overrides the class count (0 = found).
std::unique_ptr<Dataset> make_image_folder_dataset(const std::string& dir, size_t limit, int classes);

// --dataset SPEC: fmnist:test | fmnist:train | idx:IMAGES,LABELS | imagefolder:DIR, each
// optionally followed by ",limit=N" (and ",classes=N" for image folders). Fashion-MNIST is read from $EDGEJOULE_FMNIST_DIR or Debian's
// /usr/share/datasets/fashion-mnist (package dataset-fashion-mnist).
std::unique_ptr<Dataset> make_dataset(const std::string& spec);

struct AccuracyResult {
  double top1 = 0;      // percent
  double top5 = 0;      // percent (top-k with k = min(5, classes))
  size_t samples = 0;
  std::string source;   // "measured:fmnist:test:10000"
};

// Runs the whole dataset through a loaded engine in batches; throws Error when the model's
// input or output does not fit the dataset (naming both).
AccuracyResult measure_accuracy(Engine& engine, const Dataset& dataset, const Preprocess& preprocess,
                                const std::vector<int64_t>& model_sample_shape, int batch = 100);

}  // namespace edgejoule
