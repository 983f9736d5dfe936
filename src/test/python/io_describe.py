"""Describe tensors and Python values as JSON, the same way the Java tests describe what they read.

A tensor becomes {"tensor": {"dtype", "shape", "sha256", "head"}}: the safetensors dtype name, the
shape, a SHA-256 over its contiguous little-endian bytes and its first values (floats widened to
Python floats exactly, integers as ints, bools as bools). Containers keep their order; tuples are
described as lists because the Java reader returns both as lists.

Run as a script to describe files:  python io_describe.py torch|safetensors|npy PATH...
(one JSON document per line, in argument order)
"""
import hashlib
import json
import math
import sys

HEAD = 8

_ST_NAMES = {
    "torch.float64": "F64", "torch.float32": "F32", "torch.float16": "F16",
    "torch.bfloat16": "BF16", "torch.int64": "I64", "torch.int32": "I32",
    "torch.int16": "I16", "torch.int8": "I8", "torch.uint8": "U8", "torch.bool": "BOOL",
}
_NP_NAMES = {
    "float64": "F64", "float32": "F32", "float16": "F16", "int64": "I64", "int32": "I32",
    "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL",
}


def _float(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def describe_tensor(t):
    import torch

    flat = t.detach().contiguous().reshape(-1)
    raw = flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""
    if t.dtype.is_floating_point:
        head = [_float(v) for v in flat[:HEAD].tolist()]
    else:
        head = flat[:HEAD].tolist()
    return {"tensor": {"dtype": _ST_NAMES[str(t.dtype)], "shape": list(t.shape),
                       "sha256": hashlib.sha256(raw).hexdigest(), "head": head}}


def describe_array(a):
    import numpy as np

    if not a.flags.c_contiguous:  # np.ascontiguousarray would turn a 0-d array into 1-d
        a = np.ascontiguousarray(a)
    flat = a.reshape(-1)
    if a.dtype.kind == "f":
        head = [_float(float(v)) for v in flat[:HEAD]]
    elif a.dtype.kind == "b":
        head = [bool(v) for v in flat[:HEAD]]
    else:
        head = [int(v) for v in flat[:HEAD]]
    return {"tensor": {"dtype": _NP_NAMES[str(a.dtype)], "shape": list(a.shape),
                       "sha256": hashlib.sha256(a.astype(a.dtype.newbyteorder("<")).tobytes()).hexdigest(),
                       "head": head}}


def describe(o):
    import torch

    if isinstance(o, torch.Tensor):
        return describe_tensor(o)
    if isinstance(o, dict):
        return {"dict": [[describe(k), describe(v)] for k, v in o.items()]}
    if isinstance(o, (list, tuple)):  # torch.Size is a tuple
        return {"list": [describe(v) for v in o]}
    if isinstance(o, bool):
        return {"bool": o}
    if isinstance(o, int):
        return {"int": o}
    if isinstance(o, float):
        return {"float": _float(o)}
    if isinstance(o, str):
        return {"str": o}
    if isinstance(o, bytes):
        return {"bytes": o.hex()}
    if o is None:
        return {"none": True}
    if isinstance(o, torch.dtype):
        return {"dtype": _ST_NAMES[str(o)]}
    raise TypeError("cannot describe %r" % type(o))


def describe_file(kind, path):
    if kind == "torch":
        import torch

        return describe(torch.load(path, weights_only=True))
    if kind == "safetensors":
        from safetensors import safe_open

        with safe_open(path, framework="pt") as f:
            return {"tensors": {k: describe_tensor(f.get_tensor(k)) for k in f.keys()},
                    "metadata": f.metadata() or {}}
    if kind == "npy":
        import numpy as np

        return describe_array(np.load(path))
    raise ValueError(kind)


if __name__ == "__main__":
    for file_path in sys.argv[2:]:
        json.dump(describe_file(sys.argv[1], file_path), sys.stdout, sort_keys=False)
        sys.stdout.write("\n")
