#!/usr/bin/env python3
"""Draws the run's timeline: requests/s, failures/s, p50 and p99 latency per second, and events.

  timeline.py LOAD_JSON EVENTS_JSONL OUT_PNG [TITLE]

LOAD_JSON is loadgen.py's output; EVENTS_JSONL has one {"t_ms": ..., "label": ...} per line.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loadgen import percentile  # noqa: E402  (the one reading of the latency histograms)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    load_path, events_path, out = sys.argv[1:4]
    title = sys.argv[4] if len(sys.argv) > 4 else "Depot proving ground"
    with open(load_path) as fh:
        doc = json.load(fh)
    events = []
    try:
        with open(events_path) as fh:
            events = [json.loads(line) for line in fh if line.strip()]
    except FileNotFoundError:
        pass
    secs = sorted(int(s) for s in doc["seconds"])
    if not secs:
        sys.exit("timeline: no load recorded")
    t0 = secs[0]
    xs = [s - t0 for s in secs]
    b = [doc["seconds"][str(s)] for s in secs]
    fig, ax = plt.subplots(figsize=(14, 5))
    ax.plot(xs, [x["ok"] for x in b], color="tab:blue", lw=1, label="2xx/3xx per s")
    ax.bar(xs, [x["fail"] for x in b], color="tab:red", width=1, label="non-2xx/3xx per s")
    ax.bar(xs, [x["err"] for x in b], bottom=[x["fail"] for x in b], color="black", width=1,
           label="socket errors per s")
    resent = [(x, b_["resent"]) for x, b_ in zip(xs, b) if b_.get("resent")]
    if resent:
        ax.scatter([r[0] for r in resent], [r[1] for r in resent], color="tab:orange", marker="^", s=18,
                   label="resent on a closed keep-alive connection")
    latency = ax.twinx()
    for fraction, colour in ((0.5, "tab:green"), (0.99, "tab:purple")):
        points = [(x, percentile([b_.get("latency", {})], fraction)) for x, b_ in zip(xs, b)]
        points = [(x, ms) for x, ms in points if ms is not None]
        latency.plot([p[0] for p in points], [p[1] for p in points], color=colour, lw=0.8,
                     label="p%d latency, ms" % round(fraction * 100))
    latency.set_yscale("log")
    latency.set_ylabel("latency per second, ms (log)")
    latency.legend(loc="lower right", fontsize=8)
    top = max(x["ok"] + x["fail"] + x["err"] for x in b) or 1
    for i, ev in enumerate(events):
        x = ev["t_ms"] / 1000.0 - t0
        ax.axvline(x, color="tab:gray", ls=":", lw=0.8)
        ax.text(x, top * (1.02 + 0.06 * (i % 4)), ev["label"], rotation=0, fontsize=7, color="tab:gray")
    totals = doc["totals"]
    ax.set_title("%s: %d requests, %d non-2xx/3xx, %d socket errors"
                 % (title, totals["ok"] + totals["fail"] + totals["err"], totals["fail"], totals["err"]))
    ax.set_xlabel("seconds since load start")
    ax.set_ylabel("requests per second")
    ax.set_ylim(0, top * 1.3)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
