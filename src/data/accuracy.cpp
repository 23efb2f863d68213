#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "common/error.h"
#include "common/strings.h"
#include "core/records.h"
#include "data/dataset.h"
#include "engines/engine.h"

namespace edgejoule {

Preprocess preprocess_of(const ModelInfo& model) {
  Preprocess pre;
  pre.pixel_scale = model.pixel_scale;
  pre.mean = model.mean;
  pre.std = model.std;
  pre.resize = model.resize;
  pre.crop = model.crop;
  return pre;
}

AccuracyResult measure_accuracy(Engine& engine, const Dataset& dataset, const Preprocess& preprocess,
                                const std::vector<int64_t>& model_sample_shape, int batch) {
  const auto shape = dataset.sample_shape().empty() ? model_sample_shape : dataset.sample_shape();
  if (shape != model_sample_shape) {
    throw Error(fmt::format("the model takes samples of shape {} but dataset {} has {}: choose a dataset "
                            "made for this model",
                            format_shape(model_sample_shape), dataset.name(), format_shape(shape)));
  }
  const size_t per_sample = static_cast<size_t>(
      std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>()));
  const int k = std::min(5, dataset.classes());
  size_t top1 = 0, topk = 0;
  std::vector<float> input;
  for (size_t start = 0; start < dataset.size(); start += static_cast<size_t>(batch)) {
    const size_t n = std::min(static_cast<size_t>(batch), dataset.size() - start);
    input.assign(n * per_sample, 0.0f);
    for (size_t i = 0; i < n; ++i) dataset.fill(start + i, preprocess, shape, input.data() + i * per_sample);
    std::vector<int64_t> batch_shape{static_cast<int64_t>(n)};
    batch_shape.insert(batch_shape.end(), shape.begin(), shape.end());
    int64_t width = 0;
    const auto logits = engine.infer(input, batch_shape, &width);
    if (width != dataset.classes()) {
      throw Error(fmt::format("the model outputs {} scores per sample but dataset {} has {} classes: it "
                              "was not made for this dataset", width, dataset.name(), dataset.classes()));
    }
    for (size_t i = 0; i < n; ++i) {
      const float* row = logits.data() + i * static_cast<size_t>(width);
      const int label = dataset.label(start + i);
      // Rank of the true class: the classes that score higher, and those that score the same with
      // a lower index, as an application's argmax (and a stable sort) would order them. A
      // quantised model's outputs take few values, so exact ties happen there, and counting a tie
      // as a hit for the label would overstate what the application gets.
      int rank = 0;
      for (int64_t c = 0; c < width; ++c) rank += row[c] > row[label] || (row[c] == row[label] && c < label);
      top1 += rank == 0;
      topk += rank < k;
    }
  }
  AccuracyResult r;
  r.samples = dataset.size();
  r.top1 = 100.0 * static_cast<double>(top1) / static_cast<double>(r.samples);
  r.top5 = 100.0 * static_cast<double>(topk) / static_cast<double>(r.samples);
  r.source = fmt::format("measured:{}:{}", dataset.name(), r.samples);
  return r;
}

}  // namespace edgejoule
