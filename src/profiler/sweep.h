#pragma once
// List-valued settings (llama-bench style): every sweep flag takes a list, "1,8,32", a range
// "1-4" (step 1), "1-64*2" (geometric) or "8-32+8" (arithmetic), and the sweep runs every
// combination.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgejoule {

// Throws Error naming `flag` on bad syntax, non-positive values or absurdly long lists.
std::vector<int> parse_int_list(std::string_view text, std::string_view flag);
// Comma-separated, trimmed, de-duplicated (first occurrence wins); each must be in `allowed`
// when `allowed` is not empty.
std::vector<std::string> parse_name_list(std::string_view text, std::string_view flag,
                                         const std::vector<std::string>& allowed = {});

// One point of the configuration space. Every field is a knob that changes the measurement.
struct Configuration {
  std::string engine = "torchscript";
  std::string device = "cpu";
  std::string precision = "fp32";
  int batch = 1;
  int threads = 1;
  std::vector<int64_t> sample_shape;  // one sample's shape, without the batch dimension
  // The meter measuring it (its name, "" for latency only): energy from another meter is
  // another measurement, so it is part of the key.
  std::string meter;
  bool optimize = false;                     // graph optimisation (--optimize on)
  std::string memory_format = "contiguous";  // or channels_last
  // Platform power settings applied for this point, canonical "knob=value,..." (sorted), empty
  // when the platform is left as it is (--allow-platform-changes sweeps).
  std::string platform;

  std::vector<int64_t> input_shape() const;  // {batch, sample_shape...}
  // Canonical text identifying the configuration in the store, e.g.
  // "engine=torchscript;device=cpu;precision=fp32;batch=1;threads=2;shape=3x224x224"; knobs
  // at their defaults are left out, so keys from before they existed still match.
  std::string key() const;
  std::string describe() const;  // short human form: "torchscript cpu fp32 b1 t2"
};

struct SweepLists {
  std::vector<std::string> engines{"torchscript"};
  std::vector<std::string> devices{"cpu"};
  std::vector<std::string> precisions{"fp32"};
  std::vector<int> batches{1};
  std::vector<int> threads{1};
  std::vector<bool> optimize{false};
  std::vector<std::string> memory_formats{"contiguous"};
  std::vector<std::string> platforms{""};  // canonical platform settings, "" = as it is
};

// Expands the lists for one model (platform outermost, then engine, device, precision, batch,
// threads, optimize, memory format innermost).
std::vector<Configuration> expand(const SweepLists& lists, const std::vector<int64_t>& sample_shape);

}  // namespace edgejoule
