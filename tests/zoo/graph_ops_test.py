"""The operator extraction (zoo/graph_ops.py) against hand counts and torchvision's published MACs."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "zoo"))

import torch  # noqa: E402
import torchvision  # noqa: E402

from export import tiny_model  # noqa: E402
from graph_ops import analyse, record_torch, summarize  # noqa: E402


def summary_of(name):
    model = torchvision.models.get_model(name, weights=None).eval()
    return summarize(record_torch(model, [1, 3, 224, 224]))


class GraphOps(unittest.TestCase):
    def test_tiny_cnn_by_hand(self):
        model, shape, _ = tiny_model("tiny_cnn", torch)
        records = record_torch(model.eval(), shape)
        s = summarize(records)
        # conv+bn+relu | maxpool | conv+relu | avgpool | linear: five kernels.
        self.assertEqual(s["kernels"], 5, [(r["op"], r["group"]) for r in records])
        self.assertEqual(s["conv_ops"], 2)
        self.assertEqual(s["conv_macs"], 8 * 32 * 32 * 27 + 16 * 16 * 16 * 72)
        self.assertEqual(s["matmul_macs"], 16 * 10)
        # The unfused kernels: max pool (8 x 16 x 16 out, and the indices torch writes beside it)
        # and average pool (16 out).
        self.assertEqual(s["other_elements"], 8 * 16 * 16 + 16)
        self.assertEqual(s["memory_bytes"], 4 * (8 * 32 * 32 + 2 * 8 * 16 * 16) + 4 * (16 * 16 * 16 + 16))

    def test_resnet18(self):
        s = summary_of("resnet18")
        self.assertEqual(s["conv_ops"], 20)   # 17 3x3/7x7 + 3 downsampling 1x1
        self.assertEqual(s["matmul_ops"], 1)  # the classifier
        self.assertEqual(s["norm_ops"], 20)
        # Each conv with its bn (+ relu, + the residual add) is one kernel; + max pool, avg pool, fc.
        self.assertEqual(s["kernels"], 23)
        self.assertAlmostEqual(s["macs"] / 1e9, 1.814, delta=0.018)  # torchvision: 1.81 GMACs

    def test_mobilenet_v2_separates_depthwise(self):
        s = summary_of("mobilenet_v2")
        self.assertEqual(s["conv_ops"], 35)
        self.assertEqual(s["dwconv_ops"], 17)
        self.assertEqual(s["kernels"], 54)
        self.assertAlmostEqual(s["macs"] / 1e9, 0.30, delta=0.003)  # torchvision: 0.30 GMACs
        self.assertAlmostEqual(s["dwconv_macs"] / 1e6, 20.7, delta=0.1)

    def test_vit_counts_attention_as_matmul(self):
        model = torchvision.models.get_model("vit_b_16", weights=None).eval()
        s = summarize(record_torch(model, [1, 3, 224, 224]))
        self.assertEqual(s["conv_ops"], 1)  # the patch embedding
        self.assertAlmostEqual(s["macs"] / 1e9, 17.564, delta=0.18)  # torchvision: 17.56 GMACs
        self.assertGreater(s["matmul_macs"], 0.99 * (s["macs"] - s["conv_macs"]))

    def test_a_torchscript_file_reads_as_its_module(self):
        model, shape, _ = tiny_model("tiny_cnn", torch)
        model.eval()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "tiny_cnn.pt")
            torch.jit.trace(model, torch.rand(shape)).save(path)
            from_file = summarize(analyse(path, shape))
        from_module = summarize(record_torch(model, shape))
        for key in ("kernels", "conv_macs", "matmul_macs", "other_elements"):
            self.assertEqual(from_file[key], from_module[key], key)


if __name__ == "__main__":
    unittest.main()
