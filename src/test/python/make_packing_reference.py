"""Generates the reference rows of the dev.speculators.train.data packing tests.

Reads the three samples of the upstream-generated fixture dataset
(src/test/resources/fixtures/speculators-data/data/data_<i>.pt) with torch and packs them the way
upstream training does (per-sample shift, then concatenate, cut or zero-pad to T, lengths rebuilt),
written out here from the documented semantics with plain tensor operations. The result goes to
src/test/resources/train/packed_speculators_data.safetensors, one group of tensors per case,
named "<case>.<tensor>".

Needs torch and safetensors. Run from anywhere:  python src/test/python/make_packing_reference.py
"""
import os

import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DATA = os.path.join(REPO, "src/test/resources/fixtures/speculators-data/data")
OUT = os.path.join(REPO, "src/test/resources/train/packed_speculators_data.safetensors")

# case name -> (T, sample order)
CASES = {
    "t128_order_0_1_2": (128, [0, 1, 2]),  # 36 + 51 + 28 = 115 positions, 13 of padding
    "t64_order_1_0_2": (64, [1, 0, 2]),  # 51 + 13 of the 36: sample 0 is cut, sample 2 dropped
    "t87_order_2_0_1": (87, [2, 0, 1]),  # 28 + 36 + 23 of the 51: the last one cut exactly at T
}


def shifted(sample):
    """Per-sample alignment of training: x[1:], cat(aux)[:-1], last[1:], m[1:], positions 1..S-1."""
    hs = sample["hidden_states"]
    s = sample["input_ids"].shape[0]
    return {
        "input_ids": sample["input_ids"][1:],
        "hidden_states": torch.cat(hs[:-1], dim=-1)[:-1].float(),
        "verifier_last_hidden_states": hs[-1][1:].float(),
        "loss_mask": sample["loss_mask"][1:],
        "position_ids": torch.arange(s, dtype=torch.long)[1:],
        "length": s - 1,
    }


def pack(samples, t):
    out = {}
    for key in ["input_ids", "hidden_states", "verifier_last_hidden_states", "loss_mask", "position_ids"]:
        joined = torch.cat([x[key] for x in samples], dim=0)[:t]
        pad = t - joined.shape[0]
        if pad > 0:
            joined = torch.cat([joined, torch.zeros((pad, *joined.shape[1:]), dtype=joined.dtype)], dim=0)
        out[key] = joined.contiguous()
    lengths, total = [], 0
    for x in samples:
        n = x["length"]
        if total + n >= t:
            lengths.append(t - total)
            break
        lengths.append(n)
        total += n
    out["lengths"] = torch.tensor(lengths, dtype=torch.long)
    return out


def main():
    raw = [torch.load(os.path.join(DATA, f"data_{i}.pt"), weights_only=True) for i in range(3)]
    tensors = {}
    for name, (t, order) in CASES.items():
        packed = pack([shifted(raw[i]) for i in order], t)
        for key, value in packed.items():
            tensors[f"{name}.{key}"] = value
        tensors[f"{name}.order"] = torch.tensor(order, dtype=torch.long)
        tensors[f"{name}.row_length"] = torch.tensor([t], dtype=torch.long)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    save_file(tensors, OUT, metadata={"generator": "src/test/python/make_packing_reference.py"})
    print("wrote", OUT, len(tensors), "tensors")


if __name__ == "__main__":
    main()
