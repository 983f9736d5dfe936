"""Generates the reference data of the dev.speculators.io tests (src/test/resources/io/).

Needs torch, numpy and safetensors. Run from anywhere:  python src/test/python/make_io_references.py
Every tensor is described by io_describe (dtype, shape, SHA-256 of its bytes, first values), so
the Java tests can check what they read bit for bit against what torch/numpy read.
"""
import collections
import json
import os
import shutil
import struct
import sys
import zipfile

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from io_describe import describe, describe_array, describe_file  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "src", "test", "resources", "fixtures")
OUT = os.path.join(ROOT, "src", "test", "resources", "io")


def write_json(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f)
        f.write("\n")


def fixture_references():
    refs = {"torch": {}, "safetensors": {}, "npy": {}}
    for dirpath, _, files in sorted(os.walk(FIXTURES)):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, FIXTURES)
            if name.endswith(".pt"):
                refs["torch"][rel] = describe_file("torch", path)
            elif name.endswith(".safetensors"):
                refs["safetensors"][rel] = describe_file("safetensors", path)
            elif name.endswith(".npy"):
                refs["npy"][rel] = describe_file("npy", path)
    write_json("fixture-references.json", refs)


def views_object():
    g = torch.Generator().manual_seed(1234)
    base = torch.arange(2000, dtype=torch.float32) * 0.5 - 300.0
    stacked = torch.randn(4, 6, 8, generator=g).to(torch.bfloat16)
    ordered = collections.OrderedDict()
    ordered["z"] = 1
    ordered["a"] = torch.tensor([1.0, 2.0], dtype=torch.float64)
    return {
        "input_ids": torch.randint(0, 512, (37,), generator=g),
        "transposed": (torch.arange(12 * 48, dtype=torch.float32) / 7.0).reshape(12, 48).t(),
        "sliced": base.as_strided((10, 12), (48, 2), 247),
        "transposed_bf16": torch.randn(5, 9, generator=g).to(torch.bfloat16).t(),
        "expanded": torch.arange(4).expand(3, 4),
        "fp16": torch.randn(5, 7, generator=g).half(),
        "bool": torch.rand(3, 5, generator=g) > 0.5,
        "scalar": torch.tensor(3.25),
        "scalar_long": torch.tensor(-7),
        "stacked_bf16": stacked,
        "layers_sharing_storage": [stacked[i] for i in range(4)],
        "f64": torch.randn(3, generator=g, dtype=torch.float64),
        "i32": torch.tensor([1, -2, 2**31 - 1], dtype=torch.int32),
        "i16": torch.tensor([1, -2, 32767], dtype=torch.int16),
        "i8": torch.tensor([1, -2, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
        "empty": torch.zeros(0, 4),
        "parameter": torch.nn.Parameter(torch.randn(3, generator=g)),
        "nested": {"a": 1, "b": [1.5, "s", True, None], "c": (1, 2), 7: "int key",
                   "d": {"e": torch.tensor([1, 2])}},
        "ordered": ordered,
        "ints": [2**40, -(2**63), 2**63 - 1, 0, -1, 255, 65535, 65536],
        "floats": [0.1, 1e-300, -0.0, 1.7976931348623157e308],
        "dtype": torch.bfloat16,
        "size": torch.Size([2, 3]),
        "bytes": b"\x00\xffab",
    }


def rewrite_zip(src, dst, rename=None, drop=(), replace=None):
    """Copies a torch zip changing entry names or contents, keeping entries stored."""
    rename = rename or (lambda n: n)
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            suffix = info.filename.split("/", 1)[1]
            if suffix in drop:
                continue
            data = replace.get(suffix, zin.read(info.filename))
            zout.writestr(rename(info.filename), data)


def views_files():
    obj = views_object()
    d = os.path.join(OUT, "views")
    os.makedirs(d, exist_ok=True)
    main = os.path.join(d, "views.pt")
    torch.save(obj, main)
    torch.save(obj, os.path.join(d, "views_protocol4.pt"), pickle_protocol=4)
    rewrite_zip(main, os.path.join(d, "views_old_writer.pt"),
                rename=lambda n: "archive/" + n.split("/", 1)[1],
                drop={".format_version", ".storage_alignment", "byteorder", ".data/serialization_id"})
    rewrite_zip(main, os.path.join(d, "views_big_endian.pt"), replace={"byteorder": b"big"})
    # the same file re-compressed: storages are no longer STORED and must be inflated
    with zipfile.ZipFile(main) as zin, zipfile.ZipFile(os.path.join(d, "views_deflated.pt"), "w",
                                                        zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
    loaded = torch.load(main, weights_only=True)
    write_json("views.json", {
        "description": describe(loaded),
        # exact values of the small views, to check the gather beyond the hash
        "values": {
            "transposed": loaded["transposed"].flatten().tolist(),
            "sliced": loaded["sliced"].flatten().tolist(),
            "transposed_bf16": loaded["transposed_bf16"].float().flatten().tolist(),
            "expanded": loaded["expanded"].flatten().tolist(),
            "fp16": loaded["fp16"].float().flatten().tolist(),
            "bool": loaded["bool"].flatten().tolist(),
        },
    })


def rounding_references():
    g = torch.Generator().manual_seed(7)
    specials = [
        0x00000000, 0x80000000, 0x3F800000, 0x3F808000, 0x3F818000, 0x3F808001, 0x3F80FFFF,
        0x3F817FFF, 0xBF808000, 0xBF818000, 0x00000001, 0x00008000, 0x00018000, 0x00007FFF,
        0x0000FFFF, 0x007FFFFF, 0x00800000, 0x807FFFFF, 0x7F7FFFFF, 0x7F7F7FFF, 0x7F7F8000,
        0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x477FE000, 0x477FF000, 0x477FEFFF, 0x38800000,
        0x33800000, 0x33000000, 0x33000001, 0x337FFFFF, 0x387FC000, 0x387FE000, 0x7FC00000,
        0xFFC00000, 0x7F800001, 0x7FBFFFFF, 0x40490FDB, 0x3DCCCCCD,
    ]
    rand_bits = torch.randint(0, 2**32, (2000,), generator=g, dtype=torch.int64).tolist()
    rand_vals = (torch.randn(2000, generator=g) * torch.exp(torch.randn(2000, generator=g) * 8))
    bits = specials + rand_bits + [struct.unpack("<I", struct.pack("<f", v))[0] for v in rand_vals.tolist()]
    f = torch.tensor(np.array(bits, dtype=np.uint32).view(np.float32))
    bf16 = f.to(torch.bfloat16).view(torch.int16).numpy().astype(np.uint16).tolist()
    f16 = f.to(torch.float16).view(torch.int16).numpy().astype(np.uint16).tolist()
    write_json("half-rounding.json", {"float32_bits": bits, "bf16_bits": bf16, "f16_bits": f16})


def npy_files():
    d = os.path.join(OUT, "npy")
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(5)
    arrays = {
        "f4_2d": rng.standard_normal((3, 5)).astype(np.float32),
        "f8_1d": rng.standard_normal(7),
        "f2_2d": rng.standard_normal((2, 3)).astype(np.float16),
        "i8_1d": rng.integers(-(2**40), 2**40, 6, dtype=np.int64),
        "i4_3d": rng.integers(-1000, 1000, (2, 3, 4), dtype=np.int32),
        "i2_1d": np.array([1, -2, 32767], dtype=np.int16),
        "i1_1d": np.array([1, -2, 127], dtype=np.int8),
        "u1_1d": np.array([0, 200, 255], dtype=np.uint8),
        "b1_1d": rng.random(9) > 0.5,
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "wide_u1": (np.arange(100000) % 251).astype(np.uint8).reshape(1, 100000),
        "big": rng.standard_normal((300, 100)).astype(np.float32),
    }
    refs = {}
    for name, a in arrays.items():
        np.save(os.path.join(d, name + ".npy"), a)
        refs[name + ".npy"] = describe_array(a)
    a = arrays["f4_2d"]
    for version in [(2, 0), (3, 0)]:
        name = "f4_2d_v%d.npy" % version[0]
        with open(os.path.join(d, name), "wb") as f:
            np.lib.format.write_array(f, a, version=version)
        refs[name] = describe_array(a)
    np.save(os.path.join(d, "fortran.npy"), np.asfortranarray(a))
    np.save(os.path.join(d, "big_endian.npy"), a.astype(">f4"))
    np.save(os.path.join(d, "structured.npy"), np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))
    write_json("npy.json", refs)


def safetensors_files():
    d = os.path.join(OUT, "safetensors")
    os.makedirs(d, exist_ok=True)
    g = torch.Generator().manual_seed(11)
    tensors = {
        "weight.bf16": torch.randn(6, 4, generator=g).to(torch.bfloat16),
        "weight.f32": torch.randn(3, 4, generator=g),
        "weight.f16": torch.randn(5, generator=g).half(),
        "weight.f64": torch.randn(2, 2, generator=g, dtype=torch.float64),
        "ids": torch.randint(-5, 100, (7,), generator=g),
        "i32": torch.tensor([1, -2, 3], dtype=torch.int32),
        "i16": torch.tensor([1, -2, 3], dtype=torch.int16),
        "i8": torch.tensor([1, -2, 3], dtype=torch.int8),
        "u8": torch.tensor([1, 2, 255], dtype=torch.uint8),
        "mask": torch.tensor([True, False, True]),
        "scalar": torch.tensor(1.5),
        "empty": torch.zeros(0, 3),
        "big": torch.randn(200, 100, generator=g),
    }
    path = os.path.join(d, "all_dtypes.safetensors")
    save_file(tensors, path, metadata={"format": "pt", "note": "reference"})
    write_json("safetensors.json", describe_file("safetensors", path))


if __name__ == "__main__":
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    fixture_references()
    views_files()
    rounding_references()
    npy_files()
    safetensors_files()
    print("wrote", OUT)
