"""Counts the multiply-accumulates (MACs) of one forward pass, per sample, at the operator level.

Module hooks miss work done through functional calls (the attention products in ViT, Swin's
qkv projection through F.linear), so this counter intercepts ATen operators with a
TorchDispatchMode (present since torch 1.13, also in 2.x) and counts the ones that carry nearly
all the arithmetic of a classification network:

    convolution   output elements x (input channels / groups) x kernel size
    mm, addmm     m x k x n
    bmm, baddbmm  batch x m x k x n
    fused attention (nn.MultiheadAttention's inference fast path `_native_multi_head_attention`,
    and torch 2's `_scaled_dot_product_*` kernels): projections + QK^T + AV

Element-wise operations, normalisation and pooling are not counted (the convention of fvcore,
ptflops and the figures torchvision publishes). FLOPs = 2 x MACs. Published references:
resnet18 1.81 GMACs, resnet50 4.09 GMACs, mobilenet_v2 0.30 GMACs, vit_b_16 17.56 GMACs.
"""
import math

import torch
from torch.utils._python_dispatch import TorchDispatchMode

aten = torch.ops.aten


def _numel(shape):
    return math.prod(int(d) for d in shape)


def _conv_macs(args, out):
    weight = args[1]
    # weight: [C_out, C_in / groups, k...]; every output element needs C_in/groups x k... MACs.
    return _numel(out.shape) * int(weight.shape[1]) * _numel(weight.shape[2:])


def _mm_macs(a, b):
    return int(a.shape[0]) * int(a.shape[1]) * int(b.shape[1])


def _bmm_macs(a, b):
    return int(a.shape[0]) * int(a.shape[1]) * int(a.shape[2]) * int(b.shape[2])


def _native_mha_macs(args, out):
    # (query, key, value, embed_dim, num_heads, qkv_weight, qkv_bias, proj_weight, proj_bias, ...)
    query, key = args[0], args[1]
    e = int(args[3])
    n, l, s = int(query.shape[0]), int(query.shape[1]), int(key.shape[1])
    projections = n * l * e * e + 2 * n * s * e * e + n * l * e * e  # q, k, v in; out
    return projections + 2 * n * l * s * e  # QK^T and attention x V


def _sdpa_macs(args, out):
    # query [..., L, d], key [..., S, d]: QK^T and attention x V.
    q, k = args[0], args[1]
    batch = _numel(q.shape[:-2])
    return 2 * batch * int(q.shape[-2]) * int(k.shape[-2]) * int(q.shape[-1])


_COUNTERS = {
    aten.convolution.default: lambda args, out: _conv_macs(args, out),
    aten.mm.default: lambda args, out: _mm_macs(args[0], args[1]),
    aten.addmm.default: lambda args, out: _mm_macs(args[1], args[2]),
    aten.bmm.default: lambda args, out: _bmm_macs(args[0], args[1]),
    aten.baddbmm.default: lambda args, out: _bmm_macs(args[1], args[2]),
}
for _name, _counter in (("_native_multi_head_attention", _native_mha_macs),
                        ("_scaled_dot_product_flash_attention", _sdpa_macs),
                        ("_scaled_dot_product_efficient_attention", _sdpa_macs),
                        ("_scaled_dot_product_cudnn_attention", _sdpa_macs)):
    _op = getattr(aten, _name, None)  # these exist in some torch versions only
    if _op is not None and hasattr(_op, "default"):
        _COUNTERS[_op.default] = _counter


class MacCounter(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.macs = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        counter = _COUNTERS.get(func)
        if counter is not None:
            self.macs += counter(args, out)
        return out


def count_macs(model, input_shape):
    """MACs of one forward pass of `model` on one sample of `input_shape` (batch first)."""
    shape = [1] + list(input_shape[1:])
    x = torch.rand(shape)
    counter = MacCounter()
    with torch.no_grad(), counter:
        model(x)
    return counter.macs
