"""Smoke run of the kernel level's load generator, on the host over loopback.

    python kernel/smoke.py PATH_TO_LOADGEN

No VM and no root: a sink and a 1-second send of 4 paced flows on 127.0.0.1,
checking that the report is complete and the bytes arrived.  The VM
benchmark itself (make -C benchmarks kernel) is too slow for CI.
"""

import json
import socket
import subprocess
import sys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(loadgen: str) -> int:
    port = str(free_port())
    sink = subprocess.Popen([loadgen, "sink", "-p", port, "-t", "1"],
                            stdout=subprocess.PIPE, text=True)
    try:
        for _ in range(50):  # until the sink listens
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", int(port))) == 0:
                    break
            subprocess.run(["sleep", "0.05"], check=True)
        send = subprocess.run([loadgen, "send", "-H", "127.0.0.1", "-p", port, "-n", "4",
                               "-t", "2", "-r", "40", "-d", "1", "-w", "0.2"],
                              capture_output=True, text=True, timeout=60, check=True)
    finally:
        sink.terminate()
        out, _ = sink.communicate(timeout=30)
    report = json.loads(send.stdout)
    received = json.loads(out)["bytes_received"]
    assert report["flows"] == 4 and report["bytes_acked"] > 0, report
    assert 0 < report["flow_mbit"]["min"] <= report["flow_mbit"]["max"], report
    assert report["mbit"] < 40 * 1.5, report  # paced: about 40 Mbit/s in all
    assert {"system", "softirq", "idle"} <= set(report["jiffies"]), report
    assert received >= report["bytes_acked"], (received, report)
    print(f"loadgen smoke: {report['mbit']:.1f} Mbit/s over {report['flows']} flows, "
          f"sink got {received} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
