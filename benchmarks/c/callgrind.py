"""Instruction and simulated cache-miss counts per packet, under callgrind.

Timings on a shared machine wander; instruction counts do not.  For each
queue and point this runs ``bench once QUEUE BUCKETS PPB`` under
``valgrind --tool=callgrind --cache-sim=yes --branch-sim=yes`` counting only the measured_*
functions (push everything, pop everything), and writes callgrind.csv plus
the annotated profiles of the points named by --annotate.
"""

import argparse
import csv
import re
import subprocess
import sys
from pathlib import Path

EVENTS_RE = re.compile(r"^events:\s*(.+)$", re.M)
TOTALS_RE = re.compile(r"^(?:totals|summary):\s*(.+)$", re.M)


def count(bench, queue, buckets, ppb, outfile):
    subprocess.run(
        ["valgrind", "--tool=callgrind", "--cache-sim=yes", "--branch-sim=yes", "--toggle-collect=measured_*",
         f"--callgrind-out-file={outfile}", bench, "once", queue, str(buckets), str(ppb)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    text = Path(outfile).read_text()
    events = EVENTS_RE.search(text).group(1).split()
    totals = [int(v) for v in TOTALS_RE.search(text).group(1).split()]
    return dict(zip(events, totals))


def annotate(outfile, target):
    # Self cost per function (source-line detail: rerun callgrind_annotate --auto=yes).
    text = subprocess.run(
        ["callgrind_annotate", "--auto=no", "--threshold=99.9", str(outfile)],
        check=True, capture_output=True, text=True,
    ).stdout
    # Drop the absolute paths valgrind prints, keep the repo-relative part.
    text = re.sub(r"/\S*?/(csrc|benchmarks)/", r"\1/", text)
    text = re.sub(r"--callgrind-out-file=\S+", "", text)
    target.write_text(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="./bench")
    parser.add_argument("--out", type=Path, default=Path("../results/c"))
    parser.add_argument("--points", nargs="+", default=["10000:1", "10000:8"],
                        help="BUCKETS:PACKETS_PER_BUCKET[:QUEUE,QUEUE...] (default queues: --queues)")
    parser.add_argument("--queues", nargs="+", default=["fifo", "heap", "cffs"])
    parser.add_argument("--annotate", nargs="*", default=["cffs:10000:1", "heap:10000:1",
                                                          "cffs:10000:8", "fifo:10000:8",
                                                          "approx:10000:1"])
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "callgrind").mkdir(exist_ok=True)
    scratch = Path("callgrind.out.bench")
    rows = []
    for point in args.points:
        fields = point.split(":")
        buckets, ppb = int(fields[0]), int(fields[1])
        for queue in fields[2].split(",") if len(fields) > 2 else args.queues:
            events = count(args.bench, queue, buckets, ppb, scratch)
            packets = buckets * ppb
            rows.append({
                "buckets": buckets, "ppb": ppb, "queue": queue, "packets": packets,
                "instr_per_pkt": round(events["Ir"] / packets, 1),
                "d1_miss_per_pkt": round((events.get("D1mr", 0) + events.get("D1mw", 0)) / packets, 3),
                "ll_miss_per_pkt": round((events.get("DLmr", 0) + events.get("DLmw", 0)) / packets, 3),
                "mispredicts_per_pkt": round((events.get("Bcm", 0) + events.get("Bim", 0)) / packets, 3),
            })
            print(f"callgrind: {queue} {buckets}:{ppb} {rows[-1]['instr_per_pkt']} instr/pkt",
                  file=sys.stderr)
            if f"{queue}:{buckets}:{ppb}" in args.annotate:
                annotate(scratch, args.out / "callgrind" / f"{queue}-{buckets}-{ppb}.txt")
    scratch.unlink(missing_ok=True)
    with open(args.out / "callgrind.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
