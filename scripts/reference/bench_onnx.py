#!/usr/bin/env python3
"""Time an exported model (scripts/reference/onnx_export.py) with ONNX Runtime on the CPU.

Run it with a Python that has PyPI `onnxruntime` and numpy (no torch needed), e.g. a venv:

  /usr/bin/python3 -m venv /opt/ort && /opt/ort/bin/pip install onnxruntime
  /opt/ort/bin/python scripts/reference/bench_onnx.py --model-file .cache/onnx/resnet50.onnx \
      --threads 1 [--batch 1 16] [--runs 5] [--warmup 2]

CPUExecutionProvider, graph optimisations on (ORT_ENABLE_ALL), intra_op_num_threads = --threads,
inter_op_num_threads = 1, sequential execution; random normal float32 input (seed 0) of the
model's own image size; 2 warm-up runs, median of --runs timed runs. Prints one JSON line per batch:
  {"model": ..., "batch": ..., "threads": ..., "ms_per_image": ..., "ms_per_batch": ..., ...}
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import onnxruntime as ort


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-file", required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--batch", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--cpu-time", action="store_true", help="time.process_time (CPU time) instead of wall time")
    args = ap.parse_args()
    clock = time.process_time if args.cpu_time else time.perf_counter
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(args.model_file, sess_options=options, providers=["CPUExecutionProvider"])
    inp = session.get_inputs()[0]
    _, channels, height, width = inp.shape
    rng = np.random.default_rng(0)
    name = os.path.splitext(os.path.basename(args.model_file))[0]
    for b in args.batch:
        x = rng.standard_normal((b, channels, height, width), dtype=np.float32)
        feed = {inp.name: x}
        for _ in range(args.warmup):
            session.run(None, feed)
        times = []
        for _ in range(args.runs):
            t0 = clock()
            session.run(None, feed)
            times.append(clock() - t0)
        med = statistics.median(times)
        print(json.dumps(dict(model=name, batch=b, threads=args.threads, ms_per_image=1000 * med / b,
                              ms_per_batch=1000 * med, runs=args.runs, clock="cpu" if args.cpu_time else "wall", input=[b, channels, height, width],
                              onnxruntime=ort.__version__)), flush=True)


if __name__ == "__main__":
    main()
