"""``verify_bundle``: real bundles, real signatures, real RFC 3161 tokens, and every tamper.

The bundles come from ``tests.bundles``: an in-memory log built as the ledger builds it,
checkpoints signed with Ed25519, tokens from the development TSA over loopback HTTP.
Each tamper must be caught by the right named check at the right seq; any single-byte
change of a bundle is caught, refused as malformed, or changes no reported fact.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bundles import Log, event, stamper
from verifier.bundle import verify_bundle
from verifier.checkpoint import NoteSigner
from verifier.errors import MalformedError
from verifier.report import Check, VerificationReport

ENVELOPE = "env-1"
SEQS = (2, 5, 6, 7, 11)  # env-1's entries; 6 is erased
ANCHORED, LATEST = 12, 20


@dataclass(frozen=True)
class World:
    log: Log
    root: bytes  # the development TSA's trust root
    anchor: dict[str, Any]  # a token over the checkpoint at ANCHORED
    forged: dict[str, Any]  # the same with a flipped signature byte
    elsewhere: dict[str, Any]  # a valid token over the checkpoint at ANCHORED - 1
    untrusted: dict[str, Any]  # a token from another TSA, over the right checkpoint
    other_root: bytes

    def bundle(self, **changes: Any) -> dict[str, Any]:
        doc = self.log.bundle(ENVELOPE, ANCHORED, [dict(self.anchor)], latest=LATEST)
        doc.update(changes)
        return copy.deepcopy(doc)

    def verify(
        self, doc: Any, keys: list[str] | None = None, roots: list[bytes] | None = None
    ) -> VerificationReport:
        data = doc if isinstance(doc, bytes | str) else json.dumps(doc)
        return verify_bundle(data, keys or [self.log.vkey], [self.root] if roots is None else roots)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    log = Log()
    for seq in range(LATEST):
        log.append(event(ENVELOPE if seq in SEQS else "env-2", seq))
    log.erase(6)
    note = log.checkpoint(ANCHORED)
    with stamper() as tsa, stamper("untrusted") as other:
        yield World(
            log=log,
            root=tsa.root_pem,
            anchor=tsa.anchor(note),
            forged=tsa.anchor(note, forge=True),
            elsewhere=tsa.anchor(log.checkpoint(ANCHORED - 1)),
            untrusted=other.anchor(note),
            other_root=other.root_pem,
        )


def failed(report: VerificationReport) -> list[tuple[str, int | None]]:
    return [(c.name, c.seq) for c in report.failures]


def check(report: VerificationReport, name: str, seq: int | None = None) -> Check:
    matches = [c for c in report.checks if c.name == name and c.seq == seq]
    assert len(matches) == 1, (name, seq, report.checks)
    return matches[0]


def entry(doc: dict[str, Any], seq: int) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in doc["entries"] if e["seq"] == seq)
    return found


def flip_hex(value: str, at: int = 0) -> str:
    return value[:at] + ("1" if value[at] == "0" else "0") + value[at + 1 :]


# --- the clean bundle -------------------------------------------------------------------


def test_a_clean_bundle_is_valid_and_says_what_it_proves(world: World) -> None:
    report = world.verify(world.bundle())
    assert report.valid
    assert report.verdict == "valid"
    assert report.failures == ()
    line = report.bottom_line
    assert line.startswith("VALID: 5 entries (seq 2 to 11) of envelope env-1 are in log ")
    assert f"at size {ANCHORED}, anchored by 1 TSA (development TSA, not for evidence)" in line
    assert f"the log at size {LATEST} extends it" in line
    assert line.endswith("1 entry's content erased")
    for seq in SEQS:
        for name in ("leaf", "chain", "inclusion"):
            assert check(report, name, seq).status == "pass"
    assert check(report, "commitment", 6).status == "erased"
    assert check(report, "commitment", 6).reason == "content erased"
    assert "development TSA, not for evidence" in check(report, "anchor token").reason
    names = {c.name for c in report.checks}
    assert names == {
        "format",
        "key known",
        "checkpoint signature",
        "leaf",
        "commitment",
        "chain",
        "inclusion",
        "anchor token",
        "anchor covers checkpoint",
        "consistency to latest",
    }


def test_input_may_be_bytes_str_or_a_mapping(world: World) -> None:
    doc = world.bundle()
    for given_doc in (json.dumps(doc).encode(), json.dumps(doc), doc):
        assert world.verify(given_doc).valid


def test_the_report_as_json(world: World) -> None:
    doc = world.bundle()
    entry(doc, 5)["chain"] = flip_hex(entry(doc, 5)["chain"])
    report = world.verify(doc)
    data = json.loads(report.to_json())
    assert data["valid"] is False
    assert data["verdict"] == "invalid"
    assert data["bottom_line"] == report.bottom_line
    assert data["failures"][0]["name"] == "chain"
    assert data["failures"][0]["seq"] == 5
    assert len(data["checks"]) == len(report.checks)


# --- the tamper matrix ------------------------------------------------------------------


def test_an_edited_event_body_fails_the_commitment_at_its_seq(world: World) -> None:
    doc = world.bundle()
    entry(doc, 7)["event"]["actor"]["name"] = "Mallory"
    report = world.verify(doc)
    assert failed(report) == [("commitment", 7)]
    assert "commitment" in report.bottom_line
    assert "at seq 7" in report.bottom_line


def test_an_edited_clear_field_fails_the_commitment(world: World) -> None:
    doc = world.bundle()
    entry(doc, 2)["event"]["occurred_at"] = "2026-11-22T17:03:05Z"
    report = world.verify(doc)
    assert failed(report) == [("commitment", 2)]
    assert check(report, "commitment", 2).actual == "2026-11-22T17:03:05Z"


def test_an_event_that_is_not_a_valid_event_fails_the_commitment(world: World) -> None:
    doc = world.bundle()
    entry(doc, 5)["event"]["colour"] = "red"
    report = world.verify(doc)
    assert failed(report) == [("commitment", 5)]
    assert "colour" in check(report, "commitment", 5).reason


def test_an_edited_leaf_byte_fails_the_leaf_at_its_seq(world: World) -> None:
    doc = world.bundle()
    leaf = bytearray(base64.b64decode(entry(doc, 11)["leaf"]))
    at = leaf.index(b"acme")
    leaf[at] = ord("b")  # tenant "bcme": still a well-formed leaf
    entry(doc, 11)["leaf"] = base64.b64encode(bytes(leaf)).decode()
    report = world.verify(doc)
    assert failed(report)[0] == ("leaf", 11)
    assert {name for name, seq in failed(report)} >= {"leaf", "chain", "inclusion"}
    assert all(seq == 11 for _, seq in failed(report))


def test_a_leaf_that_is_not_canonical_json_fails_the_leaf(world: World) -> None:
    doc = world.bundle()
    leaf = base64.b64decode(entry(doc, 2)["leaf"]).replace(b'"v":1', b'"v": 1')
    entry(doc, 2)["leaf"] = base64.b64encode(leaf).decode()
    report = world.verify(doc)
    assert failed(report)[0] == ("leaf", 2)
    assert "canonical" in check(report, "leaf", 2).reason
    assert check(report, "commitment", 2).status == "skipped"


def test_a_stated_leaf_hash_that_is_not_the_leafs_fails_the_leaf(world: World) -> None:
    doc = world.bundle()
    entry(doc, 5)["leaf_hash"] = flip_hex(entry(doc, 5)["leaf_hash"])
    assert failed(world.verify(doc)) == [("leaf", 5)]


def test_an_edited_chain_value_fails_the_chain_at_its_seq(world: World) -> None:
    doc = world.bundle()
    entry(doc, 2)["chain"] = flip_hex(entry(doc, 2)["chain"], 10)
    report = world.verify(doc)
    assert failed(report) == [("chain", 2)]
    assert check(report, "chain", 2).expected == world.log.chains[2].hex()


def test_a_prev_chain_that_is_not_the_previous_entrys_chain_fails(world: World) -> None:
    doc = world.bundle()
    # seq 6 follows seq 5 in the bundle: both its own step and the link are checked
    entry(doc, 5)["chain"] = flip_hex(entry(doc, 5)["chain"])
    report = world.verify(doc)
    assert failed(report) == [("chain", 5), ("chain", 6)]
    assert "prev_chain is not the chain of seq 5" in check(report, "chain", 6).reason


def test_prev_chain_of_seq_zero_must_be_zeros() -> None:
    log = Log()
    log.append(event(ENVELOPE, 0))
    log.append(event("env-2", 1))
    doc = log.bundle(ENVELOPE, 2, [], status="pending")
    doc["entries"][0]["prev_chain"] = "11" * 32
    report = verify_bundle(doc, [log.vkey], [])
    assert failed(report) == [("chain", 0)]
    assert "zeros" in check(report, "chain", 0).reason


def test_an_edited_inclusion_hash_fails_the_inclusion_at_its_seq(world: World) -> None:
    doc = world.bundle()
    proof = entry(doc, 7)["inclusion"]
    proof[1] = flip_hex(proof[1])
    report = world.verify(doc)
    assert failed(report) == [("inclusion", 7)]
    assert check(report, "inclusion", 7).actual is not None


def test_a_validly_signed_but_different_checkpoint_fails_inclusion_and_anchors(
    world: World,
) -> None:
    doc = world.bundle(checkpoint=world.log.checkpoint(ANCHORED + 1))
    report = world.verify(doc)
    names = {name for name, _ in failed(report)}
    assert {("inclusion", seq) for seq in SEQS} <= set(failed(report))
    assert {"anchor covers checkpoint", "consistency to latest"} <= names
    assert check(report, "checkpoint signature").status == "pass"
    assert check(report, "anchor token").status == "pass"  # a good token, of another text


def test_a_checkpoint_of_a_forked_log_fails_inclusion_and_consistency(world: World) -> None:
    fork = Log(signer=world.log.signer)
    for seq in range(ANCHORED):
        fork.append(event(ENVELOPE if seq in SEQS else "env-3", seq))
    doc = world.bundle(checkpoint=fork.checkpoint(ANCHORED))
    report = world.verify(doc)
    assert {("inclusion", seq) for seq in SEQS} <= set(failed(report))
    assert ("consistency to latest", None) in failed(report)
    assert check(report, "checkpoint signature").status == "pass"


def test_a_forged_token_fails_the_anchor_token(world: World) -> None:
    doc = world.bundle(anchors=[world.forged])
    report = world.verify(doc)
    assert failed(report) == [("anchor token", None)]
    assert "signature does not verify" in check(report, "anchor token").reason
    assert check(report, "anchor covers checkpoint").status == "pass"


def test_a_token_of_an_untrusted_tsa_fails_the_anchor_token(world: World) -> None:
    doc = world.bundle(anchors=[world.untrusted])
    report = world.verify(doc)
    assert failed(report) == [("anchor token", None)]
    assert "trust root" in check(report, "anchor token").reason
    # trusting that TSA too makes it valid
    assert world.verify(doc, roots=[world.root, world.other_root]).valid


def test_a_token_over_another_checkpoint_fails_anchor_covers_checkpoint(world: World) -> None:
    doc = world.bundle(anchors=[world.elsewhere])
    report = world.verify(doc)
    assert failed(report) == [("anchor covers checkpoint", None)]
    assert check(report, "anchor token").status == "pass"
    covers = check(report, "anchor covers checkpoint")
    assert "another text" in covers.reason
    assert covers.expected != covers.actual


def test_a_gen_time_that_is_not_the_tokens_fails_the_anchor_token(world: World) -> None:
    anchor = dict(world.anchor, gen_time="2020-01-01T00:00:00Z")
    report = world.verify(world.bundle(anchors=[anchor]))
    assert failed(report) == [("anchor token", None)]
    assert check(report, "anchor token").actual == "2020-01-01T00:00:00Z"


def test_a_token_checked_at_a_time_its_chain_is_not_valid_fails(world: World) -> None:
    report = verify_bundle(
        world.bundle(), [world.log.vkey], [world.root], at_time=datetime(2100, 1, 1, tzinfo=UTC)
    )
    assert failed(report) == [("anchor token", None)]
    assert "not valid at" in check(report, "anchor token").reason


def test_the_wrong_log_key_fails_key_known_and_checkpoint_signature(world: World) -> None:
    stranger = NoteSigner.generate("test.example-log").vkey
    report = world.verify(world.bundle(), keys=[stranger])
    names = [name for name, _ in failed(report)]
    assert names[:2] == ["key known", "checkpoint signature"]
    assert "consistency to latest" in names  # latest is checked with the trusted keys only
    # the rest still holds, against the untrusted checkpoint, and says so
    assert check(report, "inclusion", 2).status == "pass"
    assert "not trusted" in check(report, "inclusion", 2).reason


def test_a_trusted_key_not_listed_by_the_bundle_fails_key_known(world: World) -> None:
    doc = world.bundle()
    other = NoteSigner.generate("other").vkey
    doc["log"]["vkey"], doc["log"]["vkeys"] = other, [other]
    report = world.verify(doc)
    assert failed(report) == [("key known", None)]


def test_a_checkpoint_of_another_origin_fails_the_signature_check(world: World) -> None:
    other = Log(signer=world.log.signer, origin="elsewhere.example/log")
    other.fill(ANCHORED)
    report = world.verify(world.bundle(checkpoint=other.checkpoint(ANCHORED)))
    assert ("checkpoint signature", None) in failed(report)
    assert "another log" in check(report, "checkpoint signature").reason


def test_erased_content_is_reported_not_failed(world: World) -> None:
    doc = world.bundle()
    entry(doc, 7)["event"] = entry(doc, 7)["salt"] = None
    report = world.verify(doc)
    assert report.valid
    assert check(report, "commitment", 7).status == "erased"
    assert report.bottom_line.endswith("2 entries' content erased")


def test_half_erased_content_fails(world: World) -> None:
    doc = world.bundle()
    entry(doc, 7)["salt"] = None
    assert failed(world.verify(doc)) == [("commitment", 7)]


def test_a_pending_bundle_is_valid_and_says_pending(world: World) -> None:
    doc = world.log.bundle(ENVELOPE, LATEST, [], status="pending")
    report = world.verify(doc)
    assert report.valid
    assert report.pending
    assert report.verdict == "pending"
    assert report.bottom_line.startswith("PENDING: 5 entries")
    assert "not yet anchored" in report.bottom_line
    assert check(report, "anchor token").status == "pending"
    assert check(report, "anchor covers checkpoint").status == "pending"
    assert check(report, "consistency to latest").status == "skipped"


def test_an_anchored_bundle_without_anchors_fails(world: World) -> None:
    report = world.verify(world.bundle(anchors=[]))
    assert failed(report) == [("anchor token", None)]


def test_no_latest_checkpoint_skips_the_consistency_check(world: World) -> None:
    doc = world.bundle()
    del doc["latest"]
    report = world.verify(doc)
    assert report.valid
    assert check(report, "consistency to latest").status == "skipped"


def test_an_edited_consistency_hash_fails_consistency_to_latest(world: World) -> None:
    doc = world.bundle()
    doc["latest"]["consistency"][0] = flip_hex(doc["latest"]["consistency"][0])
    assert failed(world.verify(doc)) == [("consistency to latest", None)]


def test_a_latest_checkpoint_smaller_than_the_anchored_one_fails(world: World) -> None:
    doc = world.bundle()
    doc["latest"] = {"checkpoint": world.log.checkpoint(ANCHORED - 2), "consistency": []}
    report = world.verify(doc)
    assert failed(report) == [("consistency to latest", None)]
    assert "smaller" in check(report, "consistency to latest").reason


def test_entries_of_another_envelope_fail_the_leaf(world: World) -> None:
    report = world.verify(world.bundle(envelope_id="env-2"))
    assert [name for name, _ in failed(report)] == ["leaf"] * len(SEQS)
    assert check(report, "leaf", 2).expected == "env-2"


def test_entries_out_of_order_fail_the_format(world: World) -> None:
    doc = world.bundle()
    doc["entries"].reverse()
    report = world.verify(doc)
    assert ("format", 7) in failed(report)


def test_unknown_fields_fail_the_format(world: World) -> None:
    doc = world.bundle(extra=1)
    entry(doc, 5)["note"] = "hi"
    doc["anchors"][0]["comment"] = "hi"
    report = world.verify(doc)
    assert failed(report) == [("format", None), ("format", 5), ("anchor token", None)]


# --- damage is a failed check, never an exception ---------------------------------------

DAMAGE: list[tuple[str, Callable[[dict[str, Any]], None], str, int | None]] = [
    ("entry not an object", lambda d: d["entries"].__setitem__(0, [1]), "format", None),
    ("seq a string", lambda d: d["entries"][0].__setitem__("seq", "2"), "format", None),
    ("seq negative", lambda d: d["entries"][0].__setitem__("seq", -1), "format", None),
    ("leaf an int", lambda d: d["entries"][0].__setitem__("leaf", 5), "leaf", 2),
    ("leaf missing", lambda d: d["entries"][0].pop("leaf"), "leaf", 2),
    ("leaf not base64", lambda d: d["entries"][0].__setitem__("leaf", "!!"), "leaf", 2),
    ("inclusion a dict", lambda d: d["entries"][0].__setitem__("inclusion", {}), "inclusion", 2),
    ("inclusion of ints", lambda d: d["entries"][0].__setitem__("inclusion", [1]), "inclusion", 2),
    ("event a string", lambda d: d["entries"][0].__setitem__("event", "x"), "commitment", 2),
    ("salt bad hex", lambda d: d["entries"][0].__setitem__("salt", "zz"), "commitment", 2),
    ("salt missing", lambda d: d["entries"][0].pop("salt"), "commitment", 2),
    ("chain uppercase", lambda d: d["entries"][0].update(chain="AB" * 32), "chain", 2),
    ("anchor a list", lambda d: d["anchors"].__setitem__(0, []), "anchor token", None),
    ("token not base64", lambda d: d["anchors"][0].update({"token": "%%"}), "anchor token", None),
    ("token garbage", lambda d: d["anchors"][0].update({"token": "AAAA"}), "anchor token", None),
    ("vkeys a str", lambda d: d["log"].update(vkeys="k"), "key known", None),
    ("latest no note", lambda d: d["latest"].update(checkpoint=3), "consistency to latest", None),
    ("generated_at junk", lambda d: d.update(generated_at="yesterday"), "format", None),
    ("no entries", lambda d: d.update(entries=[]), "format", None),
]


@pytest.mark.parametrize(
    ("change", "name", "seq"), [d[1:] for d in DAMAGE], ids=[d[0] for d in DAMAGE]
)
def test_damage_inside_the_bundle_is_a_failed_check(
    world: World, change: Callable[[dict[str, Any]], None], name: str, seq: int | None
) -> None:
    doc = world.bundle()
    change(doc)
    report = world.verify(doc)
    assert not report.valid
    assert (name, seq) in failed(report)


MALFORMED: list[tuple[str, Any]] = [
    ("not JSON", b"{"),
    ("not UTF-8", b'{"format": "\xff"}'),
    ("duplicate keys", '{"format": "evidence-bundle/1", "format": "evidence-bundle/1"}'),
    ("an array", "[]"),
    ("a string", '"evidence"'),
    ("another format", {"format": "evidence-bundle/2"}),
    ("no format", {}),
]


@pytest.mark.parametrize("data", [m[1] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_what_cannot_be_evaluated_raises_malformed(world: World, data: Any) -> None:
    with pytest.raises(MalformedError):
        world.verify(data)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("entries"),
        lambda d: d.update(entries={}),
        lambda d: d.pop("checkpoint"),
        lambda d: d.update(checkpoint=None),
        lambda d: d.update(anchors="none"),
        lambda d: d.update(status="done"),
        lambda d: d.update(envelope_id=1),
        lambda d: d.pop("tenant"),
        lambda d: d["log"].pop("origin"),
        lambda d: d.update(log=[]),
        lambda d: d["log"].update(hash="md5"),
        lambda d: d.update(latest=[]),
    ],
)
def test_missing_or_mistyped_top_level_fields_raise_malformed(
    world: World, change: Callable[[dict[str, Any]], None]
) -> None:
    doc = world.bundle()
    change(doc)
    with pytest.raises(MalformedError):
        world.verify(doc)


def test_unusable_trust_material_raises_malformed(world: World) -> None:
    with pytest.raises(MalformedError):
        world.verify(world.bundle(), keys=["not a key"])
    with pytest.raises(MalformedError):
        verify_bundle(world.bundle(), [], [world.root])
    with pytest.raises(MalformedError):
        world.verify(world.bundle(), roots=[b"not a certificate"])


def test_no_tsa_roots_fails_the_anchor_but_pending_needs_none(world: World) -> None:
    report = world.verify(world.bundle(), roots=[])
    assert failed(report) == [("anchor token", None)]
    assert world.verify(world.log.bundle(ENVELOPE, LATEST, [], status="pending"), roots=[]).valid


# --- any single-byte change -------------------------------------------------------------


@pytest.fixture(scope="module")
def serialized(world: World) -> tuple[bytes, dict[str, Any]]:
    data = json.dumps(world.bundle(), indent=1, ensure_ascii=False).encode("utf-8")
    report = world.verify(data)
    assert report.valid
    return data, report.to_dict()


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_any_single_byte_change_is_caught_refused_or_changes_no_fact(
    world: World, serialized: tuple[bytes, dict[str, Any]], data: st.DataObject
) -> None:
    original, facts = serialized
    at = data.draw(st.integers(0, len(original) - 1), label="at")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != original[at]), label="byte")
    changed = original[:at] + bytes([byte]) + original[at + 1 :]
    try:
        report = world.verify(changed)
    except MalformedError:
        return
    assert not report.valid or report.to_dict() == facts
