#pragma once
// What an ONNX file declares about its first input, read from the protobuf wire format directly
// (no ONNX or protobuf library): enough to tell a user's wrong input shape, which is the user's
// to fix, from a graph an engine cannot run, which is UNSUPPORTED.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edgejoule {

// The declared shape of the graph's first input that is not an initializer; a symbolic
// dimension ("batch") is -1. nullopt when the file cannot be read or declares no shape.
std::optional<std::vector<int64_t>> onnx_input_shape(const std::string& path);

// The parsing part, on the file's bytes.
std::optional<std::vector<int64_t>> onnx_input_shape_of(const std::string& bytes);

// How many nodes of the main graph run `op_type` ("QuantizeLinear": a QDQ-quantised model);
// nullopt when the file cannot be read or holds no graph.
std::optional<size_t> onnx_op_count(const std::string& path, const std::string& op_type);
std::optional<size_t> onnx_op_count_of(const std::string& bytes, const std::string& op_type);

// For an engine loading `path` at `precision`: its QuantizeLinear count (nullopt when the file
// cannot be read as ONNX). Throws Error (exit 2) when a QDQ file is asked for at another precision
// than int8, or an unquantised one at int8, naming the file and the zoo build that makes the right one.
std::optional<size_t> qdq_ops_for_precision(const std::string& path, const std::string& precision);

// Whether `shape` fits `declared` (same rank; every fixed dimension equal).
bool shape_fits(const std::vector<int64_t>& shape, const std::vector<int64_t>& declared);

}  // namespace edgejoule
