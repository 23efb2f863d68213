#!/usr/bin/env python3
"""Static int8 quantisation of the zoo's ONNX exports with onnxruntime.quantization, for the
onnxruntime engine's --precision int8 (and OpenVINO and OpenCV where they read QDQ models).

Run by zoo/export.py (`edgejoule zoo build --formats ...,onnx_int8`) with the project's virtual
environment (.venv: the pinned onnxruntime and onnx wheels), not with the system Python:

    .venv/bin/python zoo/quantize_onnxruntime.py JOBS.json RESULTS.json

JOBS.json is a list of {name, onnx, out_dir, calibration, input_shape, preprocess, test_limit};
RESULTS.json gets, per name, {file, calibration, accuracy} or {error}; export.py hashes the file.

The model is written in the QDQ format (QuantizeLinear/DequantizeLinear pairs around each
quantised operator, which ONNX Runtime fuses into int8 kernels): activations uint8, weights int8
per output channel, ranges by min/max over the calibration images of quantize_common.py (the
same as the openvino_int8 files', so the two quantisations compare); the accuracy of the int8
file and of the fp32 file are measured in ONNX Runtime.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quantize_common as common  # noqa: E402


def runner(ort, path):
    """Batch of images -> logits, on ONNX Runtime's CPU provider."""
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda x: session.run(None, {name: x})[0]


def quantize_one(job, ort, quantization):
    name = job["name"]
    items, calibration = common.calibration_items(job)
    input_name = ort.InferenceSession(job["onnx"], providers=["CPUExecutionProvider"]).get_inputs()[0].name

    class Reader(quantization.CalibrationDataReader):
        def __init__(self):
            self.rest = iter(items)

        def get_next(self):
            item = next(self.rest, None)
            return None if item is None else {input_name: item}

    out_dir = job["out_dir"]
    file_name = f"{name}.qdq-int8.onnx"
    # Written under a temporary name, then renamed: an interrupted build leaves no half file.
    fd, tmp_path = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.qdq-int8.", suffix=".onnx")
    os.close(fd)
    try:
        quantization.quantize_static(
            job["onnx"], tmp_path, Reader(), quant_format=quantization.QuantFormat.QDQ,
            activation_type=quantization.QuantType.QUInt8, weight_type=quantization.QuantType.QInt8,
            per_channel=True, calibrate_method=quantization.CalibrationMethod.MinMax)
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, os.path.join(out_dir, file_name))
    finally:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
    path = os.path.join(out_dir, file_name)
    measured = job["calibration"] == "fmnist"
    return {"file": file_name, "calibration": calibration,
            "accuracy": common.accuracy(job, runner(ort, path), runner(ort, job["onnx"]))
            if measured else dict(common.NOT_APPLICABLE)}


def main():
    import logging
    import onnxruntime as ort
    from onnxruntime import quantization
    logging.getLogger().setLevel(logging.ERROR)  # the quantiser's advice to pre-process, per model
    ort.set_default_logger_severity(3)
    common.run_jobs(sys.argv, "onnx_int8", f"ONNX Runtime {ort.__version__}", "ONNX Runtime",
                    lambda job: quantize_one(job, ort, quantization))


if __name__ == "__main__":
    main()
