"""A production-like reetrace server for the HTTP steps: gunicorn with DEBUG off, bound to
the bench's database, on a free loopback port, stopped however the step ends."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from reetrace.bench.measure import process_cpu_seconds, process_peak_rss_mb


@dataclass
class Served:
    url: str
    process: subprocess.Popen

    def worker_cpu_seconds(self) -> float:
        """CPU time (user and system) the server's workers have used so far: unlike the
        wall clock, hardly moved by other work on the machine."""
        return sum(process_cpu_seconds(pid) for pid in _children(self.process.pid))

    def worker_peak_rss_mb(self) -> float | None:
        """The largest peak resident memory of the server's worker processes, in MiB."""
        workers = _children(self.process.pid)
        return max((process_peak_rss_mb(pid) or 0 for pid in workers), default=None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(*, workers: int = 2, env: dict | None = None, log=None) -> Iterator[Served]:
    """gunicorn serving reetrace until the block ends (two workers, as on a two-core machine)."""
    port = free_port()
    env = (env or os.environ) | {
        "REETRACE_DEBUG": "0",
        "REETRACE_SECRET_KEY": (env or os.environ).get("REETRACE_SECRET_KEY") or "bench-only",
        "REETRACE_ALLOWED_HOSTS": "127.0.0.1",
    }
    command = [sys.executable, "-m", "gunicorn", "reetrace.wsgi:application"]
    command += ["-w", str(workers), "-b", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning", "--timeout", "300"]
    errors = subprocess.STDOUT if log else None
    process = subprocess.Popen(command, env=env, stdout=log, stderr=errors)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/health", process)
        yield Served(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(health: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(health, timeout=1)
            return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    raise RuntimeError("the reetrace server did not start")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(child) for child in listing.read().split()]
    except OSError:
        return []
