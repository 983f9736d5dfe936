#!/usr/bin/env python3
"""Reference values for the vLLM-log acceptance analysis tests.

Writes, next to each test log in src/test/resources/eval/logs/, the report the upstream
speculators evaluation prints for it (``<log>.expected.txt``), computed here with numpy:
per-position rates weighted by drafted tokens (zero-padded to the longest line), conditional
rates w_i / w_{i-1} with w_{-1} = 1, and numpy's own array printing. Lines without per-position
rates (vLLM log formats F0/F1) are skipped, as the Java analysis does.

Also (re)generates the synthetic 15-position log used to exercise numpy's line wrapping.

Usage: python acceptance_reference.py [LOG_DIR]
"""
import random
import sys
from pathlib import Path

import numpy as np

MARKER = "SpecDecoding metrics:"


def fifteen_position_log() -> str:
    rng = random.Random(11)
    lines = []
    for i in range(40):
        drafts = rng.randint(20, 200)
        k = 15
        rates, p = [], 1.0
        for _ in range(k):
            p *= rng.uniform(0.55, 0.95)
            rates.append(round(p, 3))
        acc = round(sum(rates) * drafts)
        lines.append(
            f"(APIServer pid=42) INFO 11-28 10:{i // 6:02d}:{(i * 10) % 60:02d} [metrics.py:96] {MARKER} "
            f"Mean acceptance length: {1 + acc / drafts:.2f}, Accepted throughput: {acc / 10:.2f} tokens/s, "
            f"Drafted throughput: {drafts * k / 10:.2f} tokens/s, Accepted: {acc} tokens, "
            f"Drafted: {drafts * k} tokens, "
            f"Per-position acceptance rate: {', '.join(f'{x:.3f}' for x in rates)}, "
            f"Avg Draft acceptance rate: {100 * acc / (drafts * k):.1f}%")
    return "\n".join(lines) + "\n"


def intervals(text: str):
    drafted, rates = [], []
    for line in text.splitlines():
        if MARKER not in line:
            continue
        body = line.split(MARKER, 1)[1]
        if "Per-position acceptance rate: " not in body:
            continue
        drafted.append(int(body.split("Drafted: ")[1].split()[0]))
        values = body.split("Per-position acceptance rate: ")[1].split(", Avg")[0]
        rates.append([float(v) for v in values.split(",")])
    return np.array(drafted), rates


def report(text: str) -> str:
    drafted, rates = intervals(text)
    k = max(len(r) for r in rates)
    table = np.array([np.pad(r, (0, k - len(r))) for r in rates])
    with np.errstate(divide="ignore", invalid="ignore"):
        weighted = np.sum(table * drafted[:, None], axis=0) / np.sum(drafted)
        with_start = np.concatenate(([1.0], weighted))
        conditional = with_start[1:] / with_start[:-1]
    rule = "=" * 70
    return "\n".join([
        rule,
        "Speculative Decoding Acceptance Analysis",
        rule,
        "",
        f"Total samples: {len(drafted)}",
        f"Total drafted tokens: {np.sum(drafted)}",
        f"Average drafted tokens: {np.mean(drafted):.2f}",
        "",
        "Weighted per-position acceptance rates:",
        str(np.round(weighted, decimals=3)),
        "",
        "Conditional acceptance rates:",
        str(np.round(conditional, decimals=3)),
        rule,
    ])


def main() -> None:
    log_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "resources/eval/logs"
    (log_dir / "fifteen_positions.log").write_text(fifteen_position_log())
    for log in sorted(log_dir.glob("*.log")):
        out = log.with_suffix(".expected.txt")
        out.write_text(report(log.read_text()))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
