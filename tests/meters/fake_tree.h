#pragma once
// A temporary directory standing in for / : tests build powercap/ and hwmon/ trees in it.

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
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

}  // namespace edgejoule::testing
