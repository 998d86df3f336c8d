"""Leaves hashed in worker processes (verifier.audit.parallel): their results are used when
they start where the audit is, and the report is exactly the one process's, tamper or not
(every tamper case of test_log.py also runs both ways)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.verifier.audit.helpers import CHUNK, merges
from verifier import merkle
from verifier.audit import audit_file, leaves, parallel
from verifier.audit.reader import scan
from verifier.checkpoint import NoteSigner
from verifier.hashing import SHA256
from verifier.merkle import range_nodes


def test_workers_hash_the_regions_and_the_report_is_one_processs(
    export: tuple[Path, NoteSigner], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, signer = export
    one = audit_file(path, [signer.vkey], [], jobs=1)
    seen = merges(monkeypatch)
    two = audit_file(path, [signer.vkey], [], jobs=2, chunk_bytes=CHUNK)
    assert two.to_dict() == one.to_dict()
    assert two.valid
    with path.open("rb") as f:
        regions = len(scan(f, CHUNK).regions)
    assert regions > 50
    assert seen == [True] * regions  # every region from a worker, none read again


def test_a_region_that_does_not_start_where_the_audit_is_is_read_again(
    export: tuple[Path, NoteSigner], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, signer = export
    lines = path.read_bytes().splitlines(keepends=True)
    value = json.loads(lines[1 + 2_500])
    leaf = base64.b64decode(value["leaf"]).replace(b'"env-bench"', b'"env-bench!"')
    value["leaf"] = base64.b64encode(leaf).decode()
    lines[1 + 2_500] = json.dumps(value, separators=(",", ":")).encode() + b"\n"
    del lines[1 + 4_000]  # and a missing seq: every later region starts elsewhere
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_bytes(b"".join(lines))
    one = audit_file(tampered, [signer.vkey], [], jobs=1)
    seen = merges(monkeypatch)
    two = audit_file(tampered, [signer.vkey], [], jobs=2, chunk_bytes=CHUNK)
    assert two.to_dict() == one.to_dict()
    assert [(c.name, c.seq) for c in two.failures][:3] == [
        ("leaf", 2_500),
        ("chain", 2_500),
        ("seq", 4_000),
    ]
    assert True in seen  # the regions before the tamper came from the workers
    assert False in seen  # the ones after it were read again


def test_a_worker_takes_its_chain_from_the_line_before_its_region(
    export: tuple[Path, NoteSigner],
) -> None:
    path, _ = export
    with path.open("rb") as f:
        found = scan(f, CHUNK)
    fragment = leaves.log_fragment("test.example/evidence-ledger")
    parallel.start(str(path), fragment, "sha-256", sorted(found.checkpoint_sizes))
    second = found.regions[1]
    run = parallel.hash_region(second.offset, second.length, None)
    assert run is not None
    before = path.read_bytes()[: second.offset].splitlines()[-1]
    assert run.prev_chain.hex() == json.loads(before)["chain"]
    assert run.first_seq == json.loads(before)["seq"] + 1
    assert run.ranges[-1][0] == run.first_seq + run.leaves
    damaged = parallel.hash_region(second.offset + 1, second.length - 1, None)
    assert damaged is None  # not at a line's start: read by the main process


@settings(max_examples=300, deadline=None)
@given(
    begin=st.integers(0, 5_000),
    count=st.integers(1, 600),
    sizes=st.lists(st.integers(1, 6_000), max_size=40, unique=True),
)
def test_a_region_s_compact_ranges_are_the_subtrees_roots(
    begin: int, count: int, sizes: list[int]
) -> None:
    """What a worker hands back for each cut (its ranges, from the levels hashed once) is
    the roots of the perfect subtrees covering the cut's leaves (RFC 9162 MTH)."""
    hashes = [SHA256.leaf_hash(b"%d" % (begin + i)) for i in range(count)]
    end, start = begin + count, begin
    ranges = parallel._ranges(begin, hashes, sorted(sizes), SHA256)
    assert [cut for cut, _ in ranges] == [*sorted(s for s in sizes if begin < s < end), end]
    for cut, nodes in ranges:
        expected = [
            merkle.root(hashes[n.begin - begin : n.end - begin]) for n in range_nodes(start, cut)
        ]
        assert nodes == expected
        start = cut


def test_the_workers_start_before_the_signature_code_is_imported(
    export: tuple[Path, NoteSigner],
) -> None:
    """``ledger-verify log`` hands the first regions to its workers before it imports
    the checkpoint, signature and certificate code (cryptography): they hash while it
    does (verifier.audit.files)."""
    path, signer = export
    script = (
        "import json, sys\n"
        "from verifier import cli\n"
        "from verifier.audit import files\n"
        "files.workers = lambda jobs: 2  # whatever the cores here\n"
        "start, seen = files.start_pool, []\n"
        "def spy(*args):\n"
        "    pool = start(*args)\n"
        "    submit = pool.submit\n"
        "    def counted(*args):\n"
        "        seen.append(sorted(m for m in sys.modules if m.startswith('cryptography')))\n"
        "        return submit(*args)\n"
        "    pool.submit = counted\n"
        "    return pool\n"
        "files.start_pool = spy\n"
        "code = cli.main(sys.argv[1:])\n"
        "print(json.dumps({'code': code, 'first': seen[0], 'submitted': len(seen)}))\n"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script, "log", "--export", str(path), "--log-key", signer.vkey],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("PENDING: log test.example/evidence-ledger: 5,000 entries")
    started = json.loads(lines[-1])
    assert started["code"] == 0
    assert started["first"] == []  # no cryptography module yet
    assert started["submitted"] > 1
