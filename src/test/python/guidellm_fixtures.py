#!/usr/bin/env python3
"""Writes the GuideLLM result fixtures under src/test/resources/eval/guidellm/.

These are test data written by hand from GuideLLM's documented result schema (see README.md in
that folder), not recordings of real runs. The numbers are chosen so that tests can check every
value that flows into results.json; each metric's distribution is filled in completely for the
"successful" status and with empty distributions for the other statuses.
"""
import json
from pathlib import Path

PERCENTILES = ["p001", "p01", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "p99", "p999"]


def dist(mean, median, p99, count, lo=None, hi=None):
    lo = mean * 0.5 if lo is None else lo
    hi = p99 * 1.1 if hi is None else hi
    pct = dict(zip(PERCENTILES, [lo, lo, lo * 1.1, lo * 1.2, (lo + median) / 2, median,
                                 (median + p99) / 2, p99 * 0.9, p99 * 0.95, p99, hi]))
    return {"mean": mean, "median": median, "mode": median, "variance": (p99 - median) ** 2 / 9,
            "std_dev": (p99 - median) / 3, "min": lo, "max": hi, "count": count,
            "total_sum": mean * count, "percentiles": pct}


def empty():
    return {"mean": 0.0, "median": 0.0, "mode": 0.0, "variance": 0.0, "std_dev": 0.0, "min": 0.0,
            "max": 0.0, "count": 0, "total_sum": 0.0, "percentiles": {p: 0.0 for p in PERCENTILES}}


def status(successful, with_pdf):
    out = {"successful": successful, "incomplete": empty(), "errored": empty(), "total": successful}
    if with_pdf:
        for v in out.values():
            v["pdf"] = None
    return out


def metrics(m, with_pdf=True, totals=True):
    n = m["requests"]
    out = {
        "requests_per_second": status(dist(m["rps"], m["rps_median"], m["rps"] * 1.5, n), with_pdf),
        "request_concurrency": status(dist(m["concurrency"], m["concurrency"], m["concurrency"], n), with_pdf),
        "request_latency": status(dist(m["lat"][0] * 1.05, m["lat"][0], m["lat"][1], n), with_pdf),
        "prompt_token_count": status(dist(180.0, 170.0, 400.0, n), with_pdf),
        "output_token_count": status(dist(256.0, 256.0, 256.0, n), with_pdf),
        "total_token_count": status(dist(436.0, 426.0, 656.0, n), with_pdf),
        "time_to_first_token_ms": status(dist(m["ttft"][0] * 1.1, m["ttft"][0], m["ttft"][1], n), with_pdf),
        "time_per_output_token_ms": status(dist(m["tpot"][0] * 1.02, m["tpot"][0], m["tpot"][1], n), with_pdf),
        "inter_token_latency_ms": status(dist(m["itl"][0] * 1.02, m["itl"][0], m["itl"][1], n), with_pdf),
        "output_tokens_per_second": status(dist(m["otps"], m["otps_median"], m["otps"] * 1.4, n), with_pdf),
        "tokens_per_second": status(dist(m["otps"] * 1.7, m["otps_median"] * 1.7, m["otps"] * 2.2, n), with_pdf),
        "prompt_tokens_per_second": status(dist(m["otps"] * 0.7, m["otps_median"] * 0.7, m["otps"], n), with_pdf),
    }
    if totals:
        out["request_totals"] = {"successful": n, "incomplete": m.get("incomplete", 0),
                                 "errored": m.get("errored", 0), "total": n + m.get("incomplete", 0) + m.get("errored", 0)}
    return out


def requests_made(m):
    n = m["requests"]
    return {"successful": n, "incomplete": m.get("incomplete", 0), "errored": m.get("errored", 0),
            "total": n + m.get("incomplete", 0) + m.get("errored", 0)}


def benchmark_v07(m, strategy):
    return {
        "type_": "generative_benchmark",
        "id_": "3f7c0d1e-0000-4000-8000-00000000000" + str(m["requests"] % 10),
        "config": {"strategy": strategy, "constraints": {"max_requests": {"count": m["requests"]}}},
        "scheduler_state": {"processed_requests": m["requests"]},
        "scheduler_metrics": {"start_time": 1785000000.0, "end_time": 1785000000.0 + m["duration"],
                              "requests_made": requests_made(m)},
        "metrics": metrics(m),
        "requests": {"successful": [], "incomplete": [], "errored": []},
    }


SPEC = {"requests": 200, "duration": 62.5, "rps": 3.2, "rps_median": 3.1, "concurrency": 11.0,
        "otps": 812.5, "otps_median": 805.0, "ttft": (142.7, 380.2), "itl": (11.8, 25.4),
        "tpot": (12.4, 26.9), "lat": (3.41, 7.92)}
BASELINE = {"requests": 200, "duration": 101.6, "rps": 1.97, "rps_median": 1.95, "concurrency": 11.0,
            "otps": 500.0, "otps_median": 498.0, "ttft": (120.1, 301.5), "itl": (19.6, 31.0),
            "tpot": (20.1, 33.3), "lat": (5.52, 11.4)}


def v07(m, data_path):
    strategy = {"type_": "throughput", "max_concurrency": 128, "startup_duration": 0.0}
    return {
        "metadata": {"version": 2, "guidellm_version": "0.7.3", "python_version": "3.12.11",
                     "platform": "Linux-6.8.0-x86_64-with-glibc2.39"},
        "config": {
            "metadata": {"labels": {}},
            "spec": {
                "backend": {"kind": "openai_http", "target": "http://127.0.0.1:8000",
                            "extras": {"body": {"temperature": 0.6, "top_p": 0.95, "top_k": 20}}},
                "profile": {"kind": "throughput", "max_concurrency": 128},
                "constraints": [{"kind": "max_requests", "count": 200}],
                "data": [{"kind": "json_file", "path": data_path}],
            },
            "benchmarks": [],
        },
        "benchmarks": [benchmark_v07(m, strategy)],
    }


def v06_sweep():
    sync = dict(SPEC, requests=40, duration=30.0, rps=1.2, rps_median=1.2, otps=300.0, otps_median=299.0,
                ttft=(90.0, 120.0), itl=(9.0, 11.0), tpot=(9.5, 11.5), lat=(2.4, 3.0), errored=2)
    thr = dict(SPEC, requests=160, duration=40.0, incomplete=3)
    benchmarks = []
    for m, strategy in ((sync, {"type_": "synchronous"}), (thr, {"type_": "throughput", "max_concurrency": None})):
        b = benchmark_v07(m, strategy)
        benchmarks.append(b)
    return {"metadata": {"version": 1, "guidellm_version": "0.6.0"},
            "args": {"target": "http://127.0.0.1:8000", "profile": "sweep", "data": ["math.jsonl"]},
            "benchmarks": benchmarks}


def v03():
    m = dict(SPEC, otps=700.0, otps_median=690.0)
    b = {"type_": "generative_benchmark",
         "args": {"strategy": {"type_": "throughput"}},
         "run_stats": {"requests_made": requests_made(m)},
         "metrics": metrics(m, with_pdf=False, totals=False)}
    for v in b["metrics"].values():
        for s in v.values():
            s["cumulative_distribution_function"] = None
    return {"benchmarks": [b]}


def main():
    out = Path(__file__).parents[1] / "resources/eval/guidellm"
    files = {
        "v0.7.3-throughput.json": v07(SPEC, "/data/math.jsonl"),
        "v0.7.3-throughput-baseline.json": v07(BASELINE, "/data/math.jsonl"),
        "v0.6.0-sweep.json": v06_sweep(),
        "v0.3.0-throughput.json": v03(),
    }
    for name, doc in files.items():
        (out / name).write_text(json.dumps(doc, indent=2) + "\n")
        print("wrote", out / name)


if __name__ == "__main__":
    main()
