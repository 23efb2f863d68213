#!/usr/bin/env python3
"""Post-training int8 quantisation of the zoo's ONNX exports with NNCF, for the openvino engine.

Run by zoo/export.py (`edgejoule zoo build --formats ...,openvino_int8`) with the project's
virtual environment (.venv: the pinned openvino and nncf wheels), not with the system Python:

    .venv/bin/python zoo/quantize_openvino.py JOBS.json RESULTS.json

JOBS.json is a list of {name, onnx, out_dir, calibration, input_shape, preprocess, test_limit};
RESULTS.json gets, per name, {file, calibration, accuracy} or {error}; export.py hashes the file.
NNCF's statistics for the int8 ranges come from the calibration images of quantize_common.py, and
the accuracy of the int8 IR and of the fp32 ONNX file are measured in OpenVINO.

The IR is written as NAME.ov-int8.xml + NAME.ov-int8.bin; export.py's sha256_file covers both
files (the .xml first), as edgejoule computes it for a point's model identity.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quantize_common as common  # noqa: E402

TRANSFORMER_FAMILIES = ("vit", "swin", "swin_v2", "maxvit")


def runner(core, model):
    """Batch of images -> logits, on CPU in f32."""
    compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return lambda x: compiled(x)[0]


def quantize_one(job, core, ov, nncf):
    name = job["name"]
    model = core.read_model(job["onnx"])
    items, calibration = common.calibration_items(job)
    family = job.get("family", "")
    quantized = nncf.quantize(model, nncf.Dataset(items), subset_size=len(items),
                              model_type=nncf.ModelType.TRANSFORMER if family in TRANSFORMER_FAMILIES else None)
    out_dir = job["out_dir"]
    file_name = f"{name}.ov-int8.xml"
    # Written under temporary names, then renamed .bin first: an interrupted build leaves no IR
    # whose .xml names weights that are not there.
    tmp_dir = tempfile.mkdtemp(dir=out_dir, prefix=f".{name}.ov-int8.")
    try:
        tmp_xml = os.path.join(tmp_dir, file_name)
        ov.save_model(quantized, tmp_xml, compress_to_fp16=False)
        for suffix in (".bin", ".xml"):
            path = tmp_xml[:-4] + suffix
            os.chmod(path, 0o644)
            os.replace(path, os.path.join(out_dir, file_name[:-4] + suffix))
    finally:
        for leftover in os.listdir(tmp_dir):
            os.unlink(os.path.join(tmp_dir, leftover))
        os.rmdir(tmp_dir)
    xml_path = os.path.join(out_dir, file_name)
    measured = job["calibration"] == "fmnist"  # compiled only where an accuracy applies
    return {"file": file_name, "calibration": calibration,
            "accuracy": common.accuracy(job, runner(core, core.read_model(xml_path)), runner(core, model))
            if measured else dict(common.NOT_APPLICABLE)}


def main():
    import logging
    import openvino as ov
    import nncf
    nncf.set_log_level(logging.ERROR)
    core = ov.Core()
    common.run_jobs(sys.argv, "openvino_int8", f"NNCF {nncf.__version__}", "OpenVINO",
                    lambda job: quantize_one(job, core, ov, nncf))


if __name__ == "__main__":
    main()
