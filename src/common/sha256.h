#pragma once
// SHA-256 (FIPS 180-4) for content-addressing model files: the store keys a model by what it
// is, not by where it lies, so moving a zoo does not re-measure it and editing a file does.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgejoule {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  std::string hex_digest();  // finalises; call once

 private:
  void compress(const uint8_t* block);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffer_size_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view data);
// Throws Error naming the file when it cannot be read.
std::string sha256_file(const std::string& path);
// One digest over several files' bytes, in order (a model stored as two files).
std::string sha256_files(const std::vector<std::string>& paths);

}  // namespace edgejoule
