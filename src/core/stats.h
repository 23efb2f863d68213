#pragma once
// Descriptive statistics. Spread (stddev, cv, confidence interval) needs at least two values
// and is absent otherwise, never reported as zero (Google Benchmark refuses it the same way).

#include <optional>
#include <vector>

namespace edgejoule {

struct Summary {
  size_t count = 0;
  double mean = 0;
  double min = 0;
  double max = 0;
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
  std::optional<double> stddev;          // sample standard deviation (n - 1)
  std::optional<double> cv;              // stddev / mean
  std::optional<double> ci95_half_width; // Student-t 95 % interval of the mean: mean ± this
};

// Linear interpolation between closest ranks (numpy's default); `sorted` must be sorted.
double percentile(const std::vector<double>& sorted, double q);
Summary summarize(std::vector<double> values);
// Two-sided 97.5 % quantile of Student's t with `df` degrees of freedom.
double student_t_975(int df);

}  // namespace edgejoule
