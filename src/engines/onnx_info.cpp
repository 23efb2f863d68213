#include "engines/onnx_info.h"

#include <set>
#include <string_view>

#include "common/error.h"
#include "common/strings.h"

namespace edgejoule {
namespace {

// A protobuf message's fields, one at a time (wire types 0 varint, 1 fixed64, 2 length-delimited,
// 5 fixed32; groups are not used by ONNX). Stops (ok() false) at anything malformed.
class Fields {
 public:
  explicit Fields(std::string_view bytes) : rest_(bytes) {}
  bool next() {
    if (rest_.empty() || !ok_) return false;
    uint64_t tag = 0;
    if (!varint(&tag)) return false;
    number_ = static_cast<int>(tag >> 3);
    type_ = static_cast<int>(tag & 7);
    value_ = 0;
    bytes_ = {};
    switch (type_) {
      case 0: return varint(&value_);
      case 1: return skip(8);
      case 5: return skip(4);
      case 2: {
        uint64_t length = 0;
        if (!varint(&length) || length > rest_.size()) return fail();
        bytes_ = rest_.substr(0, length);
        rest_.remove_prefix(length);
        return true;
      }
      default: return fail();
    }
  }
  int number() const { return number_; }
  int type() const { return type_; }
  uint64_t value() const { return value_; }
  std::string_view bytes() const { return bytes_; }
  bool ok() const { return ok_; }

 private:
  bool fail() {
    ok_ = false;
    return false;
  }
  bool skip(size_t n) {
    if (rest_.size() < n) return fail();
    rest_.remove_prefix(n);
    return true;
  }
  bool varint(uint64_t* out) {
    *out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (rest_.empty()) return fail();
      const auto byte = static_cast<unsigned char>(rest_.front());
      rest_.remove_prefix(1);
      *out |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return fail();
  }

  std::string_view rest_;
  int number_ = 0, type_ = 0;
  uint64_t value_ = 0;
  std::string_view bytes_;
  bool ok_ = true;
};

// The first length-delimited field `number` of a message.
std::optional<std::string_view> field(std::string_view message, int number) {
  Fields f(message);
  while (f.next()) {
    if (f.number() == number && f.type() == 2) return f.bytes();
  }
  return std::nullopt;
}

// ValueInfoProto -> its tensor shape: type (2) -> tensor_type (1) -> shape (2) -> dim (1) with
// dim_value (1) or dim_param (2).
std::optional<std::vector<int64_t>> value_info_shape(std::string_view value_info) {
  const auto type = field(value_info, 2);
  if (!type) return std::nullopt;
  const auto tensor = field(*type, 1);
  if (!tensor) return std::nullopt;
  const auto shape = field(*tensor, 2);
  if (!shape) return std::nullopt;
  std::vector<int64_t> dims;
  Fields f(*shape);
  while (f.next()) {
    if (f.number() != 1 || f.type() != 2) continue;
    int64_t dim = -1;
    Fields d(f.bytes());
    while (d.next()) {
      if (d.number() == 1 && d.type() == 0) dim = static_cast<int64_t>(d.value());
    }
    dims.push_back(dim > 0 ? dim : -1);
  }
  if (!f.ok()) return std::nullopt;
  return dims;
}

}  // namespace

std::optional<std::vector<int64_t>> onnx_input_shape_of(const std::string& bytes) {
  const auto graph = field(bytes, 7);  // ModelProto.graph
  if (!graph) return std::nullopt;
  // Inputs that are initializers (older exporters list weights as inputs) are not the data input.
  std::set<std::string_view> initializers;
  {
    Fields f(*graph);
    while (f.next()) {
      if (f.number() == 5 && f.type() == 2) {  // GraphProto.initializer (TensorProto, name = 8)
        if (const auto name = field(f.bytes(), 8)) initializers.insert(*name);
      }
    }
  }
  Fields f(*graph);
  while (f.next()) {
    if (f.number() != 11 || f.type() != 2) continue;  // GraphProto.input
    const auto name = field(f.bytes(), 1);
    if (name && initializers.count(*name)) continue;
    return value_info_shape(f.bytes());
  }
  return std::nullopt;
}

std::optional<std::vector<int64_t>> onnx_input_shape(const std::string& path) {
  const auto bytes = read_file(path);
  if (!bytes) return std::nullopt;
  return onnx_input_shape_of(*bytes);
}

std::optional<size_t> onnx_op_count_of(const std::string& bytes, const std::string& op_type) {
  const auto graph = field(bytes, 7);  // ModelProto.graph
  if (!graph) return std::nullopt;
  size_t n = 0;
  Fields f(*graph);
  while (f.next()) {
    if (f.number() != 1 || f.type() != 2) continue;  // GraphProto.node (NodeProto, op_type = 4)
    const auto type = field(f.bytes(), 4);
    if (type && *type == op_type) ++n;
  }
  if (!f.ok()) return std::nullopt;
  return n;
}

std::optional<size_t> onnx_op_count(const std::string& path, const std::string& op_type) {
  const auto bytes = read_file(path);
  if (!bytes) return std::nullopt;
  return onnx_op_count_of(*bytes, op_type);
}

std::optional<size_t> qdq_ops_for_precision(const std::string& path, const std::string& precision) {
  const auto ops = onnx_op_count(path, "QuantizeLinear");
  if (ops && precision == "int8" && *ops == 0) {
    throw Error("'" + path + "' has no quantised operation (QuantizeLinear): --precision int8 needs the "
                "onnx_int8 file, 'edgejoule zoo build --formats torchscript,onnx_int8'");
  }
  if (ops && precision != "int8" && *ops > 0) {
    throw Error("'" + path + "' is a quantised model: profile it with --precision int8");
  }
  return ops;
}

bool shape_fits(const std::vector<int64_t>& shape, const std::vector<int64_t>& declared) {
  if (shape.size() != declared.size()) return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (declared[i] > 0 && declared[i] != shape[i]) return false;
  }
  return true;
}

}  // namespace edgejoule
