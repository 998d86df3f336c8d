"""Run every benchmark and write one JSON file to bench/results/."""

from __future__ import annotations

import argparse
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    analytics_bench,
    audit_bench,
    certificate_bench,
    export_bench,
    render_bench,
    service_bench,
    verifier_bench,
)

RESULTS = Path(__file__).parent / "results"
PARTS = ("verifier", "audit", "certificate", "render", "service", "analytics", "export")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--only", choices=PARTS, help="run only this part")
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgresql", "both"),
        default="both",
        help="databases for the service's HTTP runs and analytics (default both)",
    )
    args = parser.parse_args()
    parts = [args.only] if args.only else list(PARTS)
    started = datetime.now(UTC)
    results: dict[str, object] = {
        "started_at": started.isoformat(),
        "quick": args.quick,
        "machine": {"python": sys.version.split()[0], "platform": platform.platform()},
    }
    if "verifier" in parts:
        results["verifier"] = verifier_bench.run(quick=args.quick)
    if "audit" in parts:
        results["audit"] = audit_bench.run(quick=args.quick)
    if "certificate" in parts:
        results["certificate"] = certificate_bench.run(quick=args.quick)
    if "render" in parts:
        results["render"] = render_bench.run(quick=args.quick)
    if "service" in parts:
        databases = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
        results["service"] = service_bench.run(quick=args.quick, databases=databases)
    if "analytics" in parts:
        databases = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
        results["analytics"] = analytics_bench.run(quick=args.quick, databases=databases)
    if "export" in parts:
        results["export"] = export_bench.run(quick=args.quick)
    results["finished_at"] = datetime.now(UTC).isoformat()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{started:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
