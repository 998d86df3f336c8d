"""No value the API accepts can break a certificate, hide a character or flood a page.

A served ledger (Flask test client, SQLite, no TSA: certificates are PENDING and B-B)
takes events whose fields hold any script, invisible and bidi-control characters and
lengths up to the schema's maxima; its certificate endpoint must issue both editions of
each envelope, showing what is invisible and cutting what is long.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reports.limits import FIELDS
from tests.reports.conftest import World, flat, nothing, pdftotext, served

PIECES = st.sampled_from(
    [
        "a",
        "Zoë ",
        "张三",
        "租金金额有误，",
        "مرحبا بالعالم",  # Arabic, right to left
        "नमस्ते ",  # Devanagari with combining signs
        "e\u0301",  # e + combining acute
        "😀",
        "\U0001f468\u200d\U0001f469",  # an emoji sequence joined by ZWJ
        "\u200b",  # zero-width space
        "\u202e",  # right-to-left override
        "\u2066",  # left-to-right isolate
        "\ufeff",
        "\u00ad",  # soft hyphen
        "\t",
        "\n",
        " ",
        "\u3000",
        "(",
        "）",
        "x" * 40,  # a long identifier-like run
    ]
)


def text_up_to(limit: int, pieces: st.SearchStrategy[str] = PIECES) -> st.SearchStrategy[str]:
    """Mixed scripts and format characters, of any length up to ``limit``."""
    return st.builds(
        lambda parts, times: ("".join(parts) * times)[:limit],
        st.lists(pieces, min_size=1, max_size=8),
        st.integers(1, limit),
    )


# Ids take format characters but no control characters (the API refuses those in ids);
# the test adds 9 characters to each envelope id, which may have 200.
ID_PIECES = PIECES.filter(lambda piece: piece not in ("\t", "\n"))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with served(tmp_path_factory.mktemp("hostile"), nothing, tsa=False) as found:
        yield found


def append(world: World, event: dict[str, Any]) -> int:
    response = world.client.post(
        "/v1/events", json=event, headers={"Authorization": f"Bearer {world.ingest}"}
    )
    return response.status_code


def certificate(world: World, envelope: str, lang: str) -> bytes:
    return world.certificate(f"?lang={lang}", envelope=quote(envelope, safe=""))


def event(envelope: str, **more: Any) -> dict[str, Any]:
    return {
        "event_id": f"hostile-{uuid.uuid4()}",
        "type": "recipient.signed",
        "occurred_at": "2026-11-20T01:00:00Z",
        "envelope_id": envelope,
    } | more


def read_back(world: World, envelope: str, tmp: Path) -> dict[str, str]:
    found = {}
    for lang in ("en", "zh"):
        path = tmp / f"{lang}.pdf"
        path.write_bytes(certificate(world, envelope, lang))
        found[lang] = flat(pdftotext(path))
    return found


@settings(
    max_examples=12,
    deadline=None,
    # values this large are the point; the fixture is the one served ledger of the module
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(
    envelope=text_up_to(191, ID_PIECES),
    actor=st.fixed_dictionaries(
        {},
        optional={
            key: text_up_to(2000)
            for key in ("name", "email", "phone", "role", "ip", "user_agent", "auth_method")
        },
    ),
    title=text_up_to(5000),
    reason=text_up_to(3000),
    document=text_up_to(2000),
    data_value=text_up_to(3000),
)
def test_any_accepted_value_renders_in_both_editions(
    world: World,
    envelope: str,
    actor: dict[str, str],
    title: str,
    reason: str,
    document: str,
    data_value: str,
) -> None:
    envelope = f"{envelope}-{uuid.uuid4().hex[:8]}"
    found = event(
        envelope,
        actor=actor,
        documents=[{"name": document or "d", "sha256": "ab" * 32, "size": 7}],
        data={
            "title": title,
            "decline_reason": reason,
            "document_names": [document, data_value],
            "signature_type": data_value,
            "recipient_times": {"signed": data_value, "viewed": "2026-11-20T01:00:00Z"},
            "recipients": [actor | {"status": data_value, "times": {"sent": data_value}}],
            "platform_generated_at": data_value,
            "occurred_at_source": {"field": data_value, "value": data_value},
        },
    )
    status = append(world, found)
    assume(status == 201)  # hardly ever refused (a blank id, say)
    for lang in ("en", "zh"):
        certificate(world, envelope, lang)


def test_invisible_characters_are_shown(world: World, tmp_path: Path) -> None:
    envelope = "ENV-\u200bINVISIBLE"
    actor = {"name": "Mallory \u202eredlam", "email": "alice@exam\u200bple.com"}
    title = "Lease\u2066 agreement\u2069\ufeff"
    assert append(world, event(envelope, actor=actor, data={"title": title})) == 201
    for lang, text in read_back(world, envelope, tmp_path).items():
        assert "alice@exam⟨U+200B⟩ple.com" in text, lang
        assert "alice@example.com" not in text
        assert "Mallory ⟨U+202E⟩redlam" in text
        assert "Lease⟨U+2066⟩ agreement⟨U+2069⟩⟨U+FEFF⟩" in text
        assert "ENV-⟨U+200B⟩INVISIBLE" in text


def test_a_schema_maximum_actor_name_renders_cut_with_what_is_left(
    world: World, tmp_path: Path
) -> None:
    envelope = "ENV-LONG-NAME"
    actor = {"name": "张" * 2000, "email": "e" * 1988 + "@example.com", "role": "signer"}
    assert append(world, event(envelope, actor=actor)) == 201
    cut = 2000 - FIELDS["name"]
    texts = read_back(world, envelope, tmp_path)
    assert f"… ({cut} more characters in the attached bundle)" in texts["en"]
    assert "".join(f"…（另有 {cut} 个字符，见所附证据包）".split()) in "".join(texts["zh"].split())


def test_a_huge_title_is_cut(world: World, tmp_path: Path) -> None:
    envelope = "ENV-HUGE-TITLE"
    title = "房屋租赁合同Lease" * 15_000  # 165,000 characters, no space to break at
    assert append(world, event(envelope, data={"title": title})) == 201
    texts = read_back(world, envelope, tmp_path)
    cut = len(title) - FIELDS["title"]
    assert f"({cut} more characters in the attached bundle)" in texts["en"]
