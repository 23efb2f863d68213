"""Fashion-MNIST's IDX files as numpy arrays, without torch: read by the training (fmnist.py,
Debian's python3 with torch) and by the int8 calibration (quantize_openvino.py, the project's
.venv with openvino and nncf)."""
import gzip
import os
import struct

import numpy as np

DATA_DIR = os.environ.get("EDGEJOULE_FMNIST_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(path):
    """IDX (gzip or plain) -> numpy array; raises ValueError naming the file when malformed."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    dims = data[3]
    header = 4 + 4 * dims
    shape = struct.unpack(">" + "I" * dims, data[4:header])
    if len(data) - header != int(np.prod(shape)):
        raise ValueError(f"{path}: header says {shape} but holds {len(data) - header} bytes")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def load_arrays(split, limit=None):
    """(images uint8 [N, 28, 28], labels uint8 [N]) of the "train" or "test" split."""
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
    if limit:
        images, labels = images[:limit], labels[:limit]
    return images, labels
