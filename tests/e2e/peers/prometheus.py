"""A real Prometheus server (Debian's binary, fetched by
``tests/peers/install-prometheus.sh``) as a test peer: it scrapes the targets
it is given every second and answers PromQL through its HTTP API::

    with Prometheus(["127.0.0.1:9464"], workdir=tmp_path) as prom:
        value = prom.wait_for_value('fruit_sold_total{name="apple"}', timeout_s=30)

``promtool()`` gives Debian's ``promtool`` from the same package, which lints
an exposition independently of our code.
"""

from __future__ import annotations

import functools
import json
import subprocess
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Sequence

from .rotel import wait_until
from .sockets import listening_ports

ROOT = Path(__file__).resolve().parents[3]
INSTALL = ROOT / "tests" / "peers" / "install-prometheus.sh"


@functools.lru_cache(maxsize=None)
def prometheus_binary() -> Path:
    """The Prometheus binary, installed on first use (once per test run)."""
    out = subprocess.run(["bash", str(INSTALL)], check=True, capture_output=True, text=True).stdout
    return Path(out.strip().splitlines()[-1])


def promtool() -> Path:
    return prometheus_binary().with_name("promtool")


class Prometheus:
    def __init__(self, targets: Sequence[str], workdir: str | Path | None = None, *, scrape_interval: str = "1s",
                 features: Sequence[str] = ()):
        self.targets = list(targets)
        self.features = list(features)   # --enable-feature=…, e.g. native-histograms
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="prometheus-"))
        self.scrape_interval = scrape_interval
        self.port: int | None = None   # the OS's choice, known once it listens
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Prometheus":
        config = self.workdir / "prometheus.yml"
        targets = json.dumps(self.targets)
        config.write_text(
            "global:\n"
            f"  scrape_interval: {self.scrape_interval}\n"
            f"  scrape_timeout: {self.scrape_interval}\n"
            "scrape_configs:\n"
            "  - job_name: otelmetrics\n"
            f"    static_configs:\n      - targets: {targets}\n"
        )
        self.log = open(self.workdir / "prometheus.log", "wb")
        self.proc = subprocess.Popen(
            [str(prometheus_binary()), f"--config.file={config}", f"--storage.tsdb.path={self.workdir / 'data'}",
             "--web.listen-address=127.0.0.1:0", "--log.level=warn",
             *(f"--enable-feature={f}" for f in self.features)],
            stdout=self.log, stderr=subprocess.STDOUT)
        # Port 0: no window between choosing a free port and binding it in
        # which another test's peer (pytest -n 2) could take it.
        self.port = wait_until(self._listening_port, timeout_s=30, describe="Prometheus to listen")
        wait_until(self._ready, timeout_s=30, describe="Prometheus to become ready")
        return self

    def _listening_port(self) -> int | None:
        """The port of the socket Prometheus listens on, read from /proc."""
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"Prometheus exited: {self.log_tail()}")
        return next(iter(listening_ports(self.proc.pid)), None)

    def _ready(self) -> bool:
        if self.proc and self.proc.poll() is not None:
            raise RuntimeError(f"Prometheus exited: {self.log_tail()}")
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def log_tail(self) -> str:
        path = self.workdir / "prometheus.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()

    def __enter__(self) -> "Prometheus":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def api(self, path: str, **params: str) -> Any:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}?{query}", timeout=5) as r:
            body = json.load(r)
        if body.get("status") != "success":
            raise RuntimeError(f"Prometheus API error: {body}")
        return body["data"]

    def query(self, promql: str) -> list[dict[str, Any]]:
        """An instant vector: ``[{"metric": {labels}, "value": float}]``."""
        data = self.api("query", query=promql)
        return [{"metric": r["metric"], "value": float(r["value"][1])} for r in data["result"]]

    def targets_health(self) -> list[dict[str, Any]]:
        return self.api("targets")["activeTargets"]

    def wait_for_value(self, promql: str, timeout_s: float = 30) -> float:
        """Waits until ``promql`` returns exactly one sample; returns its value."""
        def one():
            result = self.query(promql)
            return [result[0]["value"]] if len(result) == 1 else None   # a list: 0.0 is an answer too
        return wait_until(one, timeout_s=timeout_s, describe=f"Prometheus to answer {promql!r} with one sample",
                          interval_s=0.2)[0]
