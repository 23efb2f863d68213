"""The zoo build reads each model's operators from its TorchScript (torch) and from its ONNX file
(OpenVINO, in the .venv): the two readers must find the same MACs of each kind.

Usage: graph_formats_test.py ZOO_DIR (a zoo built with torchscript,onnx)."""
import json
import os
import sys


def main():
    zoo = sys.argv[1]
    with open(os.path.join(zoo, "zoo.json")) as f:
        models = json.load(f)["models"]
    failures = []
    checked = 0
    for m in models:
        torch_graph = m.get("graph", {}).get("summary")
        if not torch_graph:
            failures.append(f"{m['name']}: no operators recorded from its TorchScript")
            continue
        if not os.path.exists(os.path.join(zoo, m["graph"]["file"])):
            failures.append(f"{m['name']}: {m['graph']['file']} missing")
        onnx = m.get("graph_onnx")
        if "onnx" not in m.get("files", {}):
            continue
        if onnx is None:
            print(f"SKIP {m['name']}: the ONNX file was not read (no .venv with openvino: make deps)")
            continue
        if "error" in onnx:
            failures.append(f"{m['name']}: OpenVINO could not read its ONNX operators: {onnx['error']}")
            continue
        s = onnx["summary"]
        checked += 1
        # Kernel counts may differ where one graph spells an operator out (channel shuffle, LayerNorm):
        # shown, not compared. The arithmetic must be the same.
        print(f"{m['name']}: {s['kernels']} kernels in ONNX, {torch_graph['kernels']} in TorchScript")
        for key in ("conv_macs", "dwconv_macs", "matmul_macs"):
            a, b = s[key], torch_graph[key]
            if abs(a - b) > 0.001 * max(a, b, 1):
                failures.append(f"{m['name']}: {key} {a} in ONNX, {b} in TorchScript")
    print(f"{checked} model(s) compared across formats")
    if failures:
        print("\n".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
