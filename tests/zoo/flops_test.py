"""The zoo's MAC counter against hand counts and published figures."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "zoo"))

import torch  # noqa: E402
import torchvision  # noqa: E402

from export import tiny_model, family_of  # noqa: E402
from flops import count_macs  # noqa: E402


class CountMacs(unittest.TestCase):
    def test_tiny_cnn_by_hand(self):
        model, shape, _ = tiny_model("tiny_cnn", torch)
        # conv 3->8 3x3 on 32x32: 8*32*32 * 3*9; conv 8->16 3x3 on 16x16: 16*16*16 * 8*9; linear 16->10
        self.assertEqual(count_macs(model.eval(), shape), 8 * 32 * 32 * 27 + 16 * 16 * 16 * 72 + 16 * 10)

    def test_tiny_mlp_by_hand(self):
        model, shape, _ = tiny_model("tiny_mlp", torch)
        self.assertEqual(count_macs(model.eval(), shape), 784 * 64 + 64 * 10)

    def test_grouped_convolution(self):
        conv = torch.nn.Conv2d(32, 32, 3, padding=1, groups=32, bias=False)  # depthwise
        self.assertEqual(count_macs(conv, [1, 32, 8, 8]), 32 * 8 * 8 * 1 * 9)

    def assert_published(self, name, published_gmacs):
        model = torchvision.models.get_model(name, weights=None).eval()
        macs = count_macs(model, [1, 3, 224, 224])
        self.assertAlmostEqual(macs / 1e9, published_gmacs, delta=published_gmacs * 0.01,
                               msg=f"{name}: {macs / 1e9:.3f} GMACs counted, {published_gmacs} published")

    def test_resnet18_matches_the_published_figure(self):
        self.assert_published("resnet18", 1.814)

    def test_vit_b_16_counts_attention_matmuls(self):
        # Functional attention (F.multi_head_attention_forward) is invisible to module hooks.
        self.assert_published("vit_b_16", 17.564)

    def test_swin_t_matches_the_published_figure(self):
        # Swin computes its qkv projection with F.linear on module weights.
        self.assert_published("swin_t", 4.491)

    def test_families(self):
        self.assertEqual(family_of("wide_resnet50_2"), "wide_resnet")
        self.assertEqual(family_of("efficientnet_v2_s"), "efficientnet_v2")
        self.assertEqual(family_of("regnet_y_400mf"), "regnet_y")
        self.assertEqual(family_of("resnext50_32x4d"), "resnext")


class OnnxExport(unittest.TestCase):
    def test_tiny_set_exports_valid_onnx_with_a_dynamic_batch(self):
        import json
        import subprocess
        import tempfile
        import onnx
        import shutil
        out = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, out, ignore_errors=True)
        here = os.path.dirname(__file__)
        subprocess.run([sys.executable, os.path.join(here, "..", "..", "zoo", "export.py"), "--set", "tiny",
                        "--out", out, "--formats", "torchscript,onnx"], check=True, capture_output=True)
        manifest = json.load(open(os.path.join(out, "zoo.json")))
        for entry in manifest["models"]:
            path = os.path.join(out, entry["files"]["onnx"])
            model = onnx.load(path)
            onnx.checker.check_model(model)
            dim = model.graph.input[0].type.tensor_type.shape.dim[0]
            self.assertEqual(dim.dim_param, "batch")
        # A second build with the same formats is served from the cache.
        again = subprocess.run([sys.executable, os.path.join(here, "..", "..", "zoo", "export.py"), "--set",
                                "tiny", "--out", out, "--formats", "torchscript,onnx"], check=True,
                               capture_output=True, text=True)
        self.assertEqual(again.stderr.count(": cached"), 2, again.stderr)


if __name__ == "__main__":
    unittest.main()
