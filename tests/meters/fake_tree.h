#pragma once
// A temporary directory standing in for / : tests build powercap/ and hwmon/ trees in it.

#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <filesystem>
#include <fstream>
#include <string>

namespace edgejoule::testing {

class FakeTree {
 public:
  explicit FakeTree(const std::string& name)
      : root_(std::filesystem::path(::testing::TempDir()) / ("tree_" + name + "_" + std::to_string(getpid()))) {
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  ~FakeTree() { std::filesystem::remove_all(root_); }
  FakeTree(const FakeTree&) = delete;
  FakeTree& operator=(const FakeTree&) = delete;

  std::string root() const { return root_.string(); }
  std::string path(const std::string& relative) const { return (root_ / relative).string(); }

  // Written to a temporary name and renamed, so a concurrent reader never sees half a value
  // (as with real sysfs attributes).
  void write(const std::string& relative, const std::string& content) const {
    const auto target = root_ / relative;
    std::filesystem::create_directories(target.parent_path());
    const auto tmp = target.string() + ".tmp";
    {
      std::ofstream out(tmp);
      out << content;
    }
    std::rename(tmp.c_str(), target.c_str());
  }

 private:
  std::filesystem::path root_;
};

// Advances a fake energy counter at a known power, wrapping at max_uj, until stopped.
class CounterWriter {
 public:
  CounterWriter(const FakeTree& tree, std::string file, double power_w, unsigned long long max_uj,
                unsigned long long start_uj = 0, std::chrono::microseconds step = std::chrono::microseconds(1000))
      : thread_([=, &tree] {
          const auto t0 = std::chrono::steady_clock::now();
          while (!stop_) {
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            const auto uj = static_cast<unsigned long long>(start_uj + power_w * s * 1e6);
            tree.write(file, std::to_string(max_uj ? uj % (max_uj + 1) : uj) + "\n");
            std::this_thread::sleep_for(step);
          }
        }) {}
  ~CounterWriter() {
    stop_ = true;
    thread_.join();
  }
 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace edgejoule::testing
