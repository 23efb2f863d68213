"""The operators of one forward pass, from the model itself: what edgejoule's graph cost model sums.

Two readers, one record per operator in the same form:

  TorchScript / a torch module (the interpreter with torch): every ATen operator the forward pass
      runs, caught with a TorchDispatchMode (the same hook as flops.py, so functional calls count
      too), with its input and output shapes.
  ONNX / OpenVINO IR (the project's .venv, openvino): every node of the graph as OpenVINO reads
      it, with static shapes for the given input.

A record: {"op": name, "class": one of CLASSES, "macs": multiply-accumulates, "elements": output
elements, "bytes_in": tensor inputs (weights included), "bytes_out": output, "group": index}.
Fused groups follow what inference engines fuse (nn-Meter's kernel detection does the same): a
convolution or matrix product opens a group, and the normalisation and element-wise operators
that take its result, one after another, join it (conv + bn + relu is one kernel); any other
operator is a group of its own. Views (reshape, transpose of a contiguous tensor) and allocations
cost no arithmetic and are left out.

summarize() turns the records into the features the cost model uses (per model, per sample):
kernels, MACs per class, and the bytes the unfused memory-bound kernels move.

Usage: graph_ops.py FILE [--input-shape 1,3,224,224] [--json OUT]   (prints the summary)
"""
import argparse
import json
import math
import os
import sys

VERSION = 3  # of the records and the summary: the zoo build reads a model again when it changes
CLASSES = ("conv", "dwconv", "matmul", "norm", "elementwise", "pool", "memory")
ANCHORS = ("conv", "dwconv", "matmul")
FUSABLE = ("norm", "elementwise")
BYTES_PER_ELEMENT = 4  # fp32 files; the cost model reads these as relative sizes

# ---- classification shared by both readers (lower-case operator names) --------------------

_NORM = ("batch_norm", "native_batch_norm", "_native_batch_norm_legit", "layer_norm", "native_layer_norm",
         "group_norm", "native_group_norm", "instance_norm", "batchnormalization", "mvn", "normalizel2",
         "layernormalization", "groupnormalization", "instancenormalization", "batchnorminference")
_POOL = ("max_pool2d", "max_pool2d_with_indices", "avg_pool2d", "adaptive_avg_pool2d", "_adaptive_avg_pool2d",
         "adaptive_max_pool2d", "mean", "sum", "amax", "maxpool", "avgpool", "reducemean", "reducemax",
         "reducesum", "globalaveragepool", "adaptiveavgpool", "_softmax", "softmax", "log_softmax", "topk")
_MEMORY = ("cat", "stack", "clone", "contiguous", "copy_", "_to_copy", "constant_pad_nd", "pad", "concat",
           "gather", "index", "index_select", "roll", "slice_scatter", "repeat", "expand_copy", "flip",
           "permute_copy", "transpose_copy", "_unsafe_view_copy", "channel_shuffle", "split", "variadicsplit",
           "stridedslice", "tile", "broadcast", "interpolate", "upsample_nearest2d", "upsample_bilinear2d",
           "shuffle_channels", "depthtospace", "spacetodepth")
# Costless: views, shape arithmetic, allocations, constants.
_FREE = ("view", "_reshape_alias", "reshape", "_unsafe_view", "t", "transpose", "permute", "expand", "squeeze",
         "unsqueeze", "flatten", "select", "slice", "split_with_sizes", "unbind", "detach", "alias", "as_strided",
         "empty", "empty_like", "zeros", "ones", "zeros_like", "ones_like", "full", "fill_", "zero_", "rand",
         "arange", "lift_fresh", "size", "sym_size", "parameter", "constant", "result", "shapeof", "convert",
         "squeeze_", "unsqueeze_", "new_empty", "new_zeros", "scalar_tensor", "_local_scalar_dense", "item",
         "chunk", "numel", "dim", "range")


def classify(op, depthwise=False):
    if op == "Transpose":  # OpenVINO's Transpose moves the data (torch's transpose is a view; the copy shows as clone)
        return "memory"
    name = op.lower().rstrip("_") if op not in ("copy_",) else op
    if name in ("convolution", "_convolution", "conv2d", "conv"):
        return "dwconv" if depthwise else "conv"
    if name in ("groupconvolution",):
        return "dwconv" if depthwise else "conv"
    if name in ("mm", "addmm", "bmm", "baddbmm", "matmul", "linear", "gemm", "_native_multi_head_attention",
                "_scaled_dot_product_flash_attention", "_scaled_dot_product_efficient_attention",
                "scaleddotproductattention"):
        return "matmul"
    if name in _FREE or op.lower() in _FREE:
        return None
    if name in _NORM:
        return "norm"
    if name in _POOL:
        return "pool"
    if name in _MEMORY or op.lower() in _MEMORY:
        return "memory"
    return "elementwise"


def _numel(shape):
    return math.prod(int(d) for d in shape) if shape is not None else 0


class _Grouper:
    """Assigns fused groups as records arrive in execution order."""

    def __init__(self):
        self.records = []
        self.group = -1
        self.group_anchor = False
        self.group_tail = None  # the tensor the current group produced last

    def add(self, record, inputs, output):
        cls = record["class"]
        joins = (cls in FUSABLE and self.group_anchor and self.group_tail is not None
                 and self.group_tail in inputs)
        if not joins:
            self.group += 1
            self.group_anchor = cls in ANCHORS
        record["group"] = self.group
        self.group_tail = output
        self.records.append(record)


# ---- torch --------------------------------------------------------------------------------

def record_torch(model, input_shape):
    """Records of one forward pass of `model` (a module or a loaded TorchScript) on one input."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode

    def tensors(value):
        if isinstance(value, torch.Tensor):
            return [value]
        if isinstance(value, (list, tuple)):
            return [t for v in value for t in tensors(v)]
        return []

    def key(t):
        return (t.data_ptr(), tuple(t.shape))

    grouper = _Grouper()

    class Recorder(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            name = func.overloadpacket.__name__
            ins = tensors(args)
            outs = tensors(out)
            depthwise = False
            macs = 0
            extra = {}
            if name in ("convolution", "_convolution"):
                weight = args[1]
                depthwise = int(weight.shape[1]) == 1 and int(args[0].shape[1]) > 1
                macs = _numel(outs[0].shape) * int(weight.shape[1]) * _numel(weight.shape[2:])
                extra = {"weight": [int(d) for d in weight.shape], "groups": int(args[8])}
            cls = classify(name, depthwise)
            if cls is None or not outs:
                return out
            if cls == "matmul":
                import flops
                counter = flops._COUNTERS.get(func)
                macs = counter(args, out) if counter else 0
            record = {
                "op": name,
                "class": cls,
                "macs": int(macs),
                "elements": _numel(outs[0].shape),
                "bytes_in": sum(_numel(t.shape) for t in ins) * BYTES_PER_ELEMENT,
                "bytes_out": sum(_numel(t.shape) for t in outs) * BYTES_PER_ELEMENT,
                "shape": [int(d) for d in outs[0].shape],
                **extra,
            }
            grouper.add(record, {key(t) for t in ins}, key(outs[0]))
            return out

    x = torch.rand([1] + list(input_shape[1:]))
    with torch.no_grad(), Recorder():
        model(x)
    return grouper.records


# ---- OpenVINO (ONNX and IR) ------------------------------------------------------------------

def record_openvino(path, input_shape):
    import openvino as ov

    core = ov.Core()
    model = core.read_model(path)
    shape = [1] + list(input_shape[1:])
    model.reshape({model.inputs[0].any_name: shape} if model.inputs[0].names else {0: shape})
    # With the input's shape fixed, the shape arithmetic an exporter leaves (bias broadcasts,
    # Concat of dimensions) folds into constants, as every engine folds it before running.
    from openvino.passes import ConstantFolding, Manager
    passes = Manager()
    passes.register_pass(ConstantFolding())
    passes.run_passes(model)
    grouper = _Grouper()
    for node in model.get_ordered_ops():
        kind = node.get_type_name()
        outs = [node.get_output_shape(i) for i in range(node.get_output_size())]
        ins = [node.get_input_shape(i) for i in range(node.get_input_size())]
        depthwise = False
        macs = 0
        extra = {}
        if kind == "Convolution":
            w = ins[1]  # [C_out, C_in, k...]
            macs = _numel(outs[0]) * int(w[1]) * _numel(w[2:])
            extra = {"weight": [int(d) for d in w], "groups": 1}
        elif kind == "GroupConvolution":
            w = ins[1]  # [groups, C_out/g, C_in/g, k...]
            depthwise = int(w[2]) == 1 and int(w[0]) > 1
            macs = _numel(outs[0]) * int(w[2]) * _numel(w[3:])
            extra = {"weight": [int(w[0]) * int(w[1])] + [int(d) for d in w[2:]], "groups": int(w[0])}
        elif kind == "MatMul":
            a, b = list(ins[0]), list(ins[1])
            ta = node.get_attributes().get("transpose_a", False)
            tb = node.get_attributes().get("transpose_b", False)
            k = int(a[-2] if ta else a[-1]) if a else 1
            macs = _numel(outs[0]) * k
            extra = {"activations": not _is_constant_input(node)}  # attention: both operands computed
            del b, tb
        cls = classify(kind, depthwise)
        if kind in ("Add", "Multiply") and _is_constant_input(node):
            cls = "elementwise"  # a bias or a scale: fusable into the producer
        if cls is None or not outs:
            continue
        in_tensors = {(node.input_value(i).get_node().get_name(), node.input_value(i).get_index())
                      for i in range(node.get_input_size())}
        record = {
            "op": kind,
            "class": cls,
            "macs": int(macs),
            "elements": _numel(outs[0]),
            "bytes_in": sum(_numel(s) for s in ins) * BYTES_PER_ELEMENT,
            "bytes_out": sum(_numel(s) for s in outs) * BYTES_PER_ELEMENT,
            "shape": [int(d) for d in outs[0]],
            **extra,
        }
        grouper.add(record, in_tensors, (node.get_name(), 0))
    return grouper.records


def _is_constant_input(node):
    return any(node.input_value(i).get_node().get_type_name() == "Constant" for i in range(node.get_input_size()))


# ---- the features -------------------------------------------------------------------------

def product_kind(record):
    """kxk, pointwise, grouped, depthwise (convolutions), mm, bmm (matrix products), or None."""
    cls = record["class"]
    if cls == "dwconv":
        return "depthwise"
    if cls == "conv":
        if record.get("groups", 1) > 1:
            return "grouped"
        weight = record.get("weight") or []
        return "pointwise" if len(weight) > 2 and math.prod(weight[2:]) == 1 else "kxk"
    if cls == "matmul":
        op = record["op"].lower()
        return "bmm" if op in ("bmm", "baddbmm") or "attention" in op or record.get("activations") else "mm"
    return None


def summarize(records):
    """Per model and sample: kernels (fused groups), MACs per class, memory-bound bytes."""
    groups = {}
    for r in records:
        groups.setdefault(r["group"], []).append(r)
    summary = {"kernels": len(groups), "operators": len(records)}
    for cls in CLASSES:
        summary[f"{cls}_ops"] = sum(1 for r in records if r["class"] == cls)
    for cls in ANCHORS:
        summary[f"{cls}_macs"] = sum(r["macs"] for r in records if r["class"] == cls)
    # The kinds of product, which engines implement with different kernels: k x k and 1 x 1
    # convolutions, grouped ones (ResNeXt, RegNet), depthwise ones, and matrix products of weights
    # (mm, linear) apart from those of two activations (bmm: attention).
    for kind in ("kxk", "pointwise", "grouped", "depthwise", "mm", "bmm"):
        summary[f"{kind}_macs"] = sum(r["macs"] for r in records if product_kind(r) == kind)
    # Arithmetic outside the products: one per output element of each unfused operator.
    summary["other_elements"] = 0
    summary["memory_bytes"] = 0  # what the memory-bound kernels read and write
    summary["anchor_bytes"] = 0  # activations and weights the conv / matmul kernels read and write
    for members in groups.values():
        head, tail = members[0], members[-1]
        if head["class"] in ANCHORS:
            summary["anchor_bytes"] += head["bytes_in"] + tail["bytes_out"]
        else:
            summary["other_elements"] += sum(r["elements"] for r in members)
            summary["memory_bytes"] += head["bytes_in"] + tail["bytes_out"]
    summary["macs"] = sum(summary[f"{cls}_macs"] for cls in ANCHORS)
    return summary


def analyse(path, input_shape):
    """Records of a model file: TorchScript through torch, ONNX / IR through OpenVINO."""
    if path.endswith((".onnx", ".xml")):
        return record_openvino(path, input_shape)
    import torch
    model = torch.jit.load(path, map_location="cpu").eval()
    return record_torch(model, input_shape)


def write_records(path, name, input_shape, summary, records):
    with open(path + ".tmp", "w") as f:
        json.dump({"model": name, "input_shape": list(input_shape), "summary": summary, "operators": records}, f)
    os.replace(path + ".tmp", path)


def run_jobs(jobs_path, results_path):
    """The zoo build's batch: [{name, file, input_shape}] -> {name: {"summary": ...} or {"error": ...}}."""
    with open(jobs_path) as f:
        jobs = json.load(f)
    results = {}
    for job in jobs:
        try:
            records = analyse(job["file"], job["input_shape"])
            results[job["name"]] = {"summary": summarize(records)}
        except Exception as e:  # one file's failure is recorded, the rest go on
            results[job["name"]] = {"error": f"{type(e).__name__}: {str(e).strip().splitlines()[-1][:300] if str(e).strip() else ''}"}
    with open(results_path, "w") as f:
        json.dump(results, f)


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if len(sys.argv) == 4 and sys.argv[1] == "--jobs":
        run_jobs(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file")
    parser.add_argument("--input-shape", default="1,3,224,224")
    parser.add_argument("--json", help="write the records and the summary here")
    args = parser.parse_args()
    try:
        shape = [int(d) for d in args.input_shape.split(",")]
    except ValueError:
        sys.exit(f"--input-shape {args.input_shape}: give the input's dimensions, e.g. 1,3,224,224")
    if not os.path.exists(args.file):
        sys.exit(f"{args.file}: no such file")
    try:
        records = analyse(args.file, shape)
    except Exception as e:
        sys.exit(f"{args.file}: cannot read its operators ({type(e).__name__}: {str(e).strip()[:300]})")
    summary = summarize(records)
    if args.json:
        write_records(args.json, os.path.basename(args.file), shape, summary, records)
    json.dump(summary, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
