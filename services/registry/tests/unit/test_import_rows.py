"""The bulk import's prepared rows: the same envelope text as the outbox's own, COPY text that
PostgreSQL reads back as the values, real version-4 UUIDs, batch encryption that decrypts."""
import csv
import io
import json
import uuid
from datetime import date, datetime, timezone

from hypothesis import given, strategies as st

from shanxing_common.messaging.envelope import Event
from shanxing_common.messaging.outbox import outbox_row
from shanxing_registry.adapters.id_vault import IdNumberVault
from shanxing_registry.adapters.import_rows import (ACCOUNT_COLUMNS, OUTBOX_COLUMNS, VOLUNTEER_COLUMNS, RowEncoder,
                                                    copy_text)
from shanxing_registry.service.import_preparation import (EVENT_TYPE, PreparationSettings, Preparer,
                                                          random_uuids)

NOW = datetime(2030, 6, 5, 2, 0, 0, 123456, tzinfo=timezone.utc)
VAULT = IdNumberVault("unit-test-id-key-0123456789abcdef0123456", "unit-test-hash-key-0123456789abcdef0123")
HEADER = ("name", "id_number", "phone", "region_code", "skills", "preferences")
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


def encoded(copy, name="王小明", skills=("first_aid",), preferences=()):
    return RowEncoder(copy=copy, now=NOW, event_type=EVENT_TYPE, producer="registry", roles=["volunteer"]).rows(
        volunteer_id="v-1", event_id="e-1", phone="13800138000", name=name, display_name=name[:1] + "*",
        id_number_encrypted="v1.key.c2VhbGVk", id_number_hash="ab" * 32, region_code="110105",
        skills=list(skills), preferences=list(preferences))


def copy_fields(line: str) -> list[str]:
    """Reads a COPY text line back as PostgreSQL does (text format: \\\\ \\t \\n \\r escapes)."""
    assert line.endswith("\n") and line.count("\n") == 1
    unescape = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
    fields, current, chars = [], [], iter(line[:-1])
    for ch in chars:
        if ch == "\\":
            current.append(unescape[next(chars)])
        elif ch == "\t":
            fields.append("".join(current))
            current = []
        else:
            current.append(ch)
    return fields + ["".join(current)]


@given(name=texts, skills=st.lists(texts, max_size=3), preferences=st.lists(texts, max_size=3))
def test_the_envelope_is_the_outboxs_own_text(name, skills, preferences):
    _, _, event = encoded(False, name or "x", skills, preferences)
    expected = Event(id="e-1", type=EVENT_TYPE, occurred_at=NOW.isoformat(), producer="registry", trace_id="e-1",
                     data={"volunteer_id": "v-1", "display_name": (name or "x")[:1] + "*", "region_code": "110105",
                           "skills": skills, "preferences": preferences, "registered_at": NOW.isoformat()})
    assert event["envelope"] == outbox_row(expected)["envelope"]


@given(name=texts.filter(bool), skills=st.lists(texts, max_size=3))
def test_copy_lines_read_back_as_the_values(name, skills):
    account, volunteer, event = encoded(True, name, skills)
    plain_account, plain_volunteer, plain_event = encoded(False, name, skills)
    assert dict(zip(ACCOUNT_COLUMNS, copy_fields(account))) == {
        "id": "v-1", "phone": "13800138000", "password_hash": "", "password_set": "f", "roles": '["volunteer"]',
        "kind": "volunteer", "created_at": NOW.isoformat(), "failed_logins": "0"}
    row = dict(zip(VOLUNTEER_COLUMNS, copy_fields(volunteer)))
    assert row["name"] == name and json.loads(row["skills"]) == skills and json.loads(row["preferences"]) == []
    assert (row["id_number_hash"], row["total_hours"], row["created_at"]) == ("ab" * 32, "0", NOW.isoformat())
    outbox = dict(zip(OUTBOX_COLUMNS, copy_fields(event)))
    assert outbox["envelope"] == plain_event["envelope"] and outbox["type"] == EVENT_TYPE
    assert plain_volunteer["skills"] == skills and plain_account["password_set"] is False


def test_copy_text_escapes_only_what_copy_reads_specially():
    assert copy_text('a\\b\tc\nd\re "f"') == 'a\\\\b\\tc\\nd\\re "f"'
    assert copy_text("王小明") == "王小明"


def test_random_uuids_are_version_4_and_distinct():
    ids = random_uuids(500)
    assert len(set(ids)) == 500
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_batch_encryption_decrypts_with_fresh_nonces():
    numbers = ["11010519900307021X", "110105199003070010", "11010519900307021X"]
    tokens = VAULT.encrypt_many(numbers)
    assert [VAULT.decrypt(token) for token in tokens] == numbers
    assert tokens[0] != tokens[2]  # the same number, another nonce
    assert VAULT.encrypt_many([]) == []


def test_a_chunk_is_checked_and_encoded_in_file_order():
    source = io.StringIO("李四,11010519900307021x,13800138000,110105,first_aid,\n"
                         "x,110105199003070010,123,110105,,\n"
                         "王五,110105198511110033,13800138001,110106,,elderly\n")
    chunk = [(line, values) for line, values in enumerate(csv.reader(source), start=2)]
    preparer = Preparer(PreparationSettings(id_key="unit-test-id-key-0123456789abcdef0123456",
                                            id_hash_key="unit-test-hash-key-0123456789abcdef0123",
                                            today=date(2030, 6, 5), header=HEADER, copy=False))
    valid, rejected = preparer.prepare(chunk, NOW)
    assert [(line, phone) for line, phone, _, _ in valid] == [(2, "13800138000"), (4, "13800138001")]
    assert [line for line, _ in rejected] == [3] and "phone:" in rejected[0][1] and "name:" in rejected[0][1]
    line, phone, fingerprint, (account, volunteer, event) = valid[0]
    assert fingerprint == VAULT.fingerprint("11010519900307021X") == volunteer["id_number_hash"]
    assert VAULT.decrypt(volunteer["id_number_encrypted"]) == "11010519900307021X"
    assert account["id"] == volunteer["id"] == json.loads(event["envelope"])["data"]["volunteer_id"]
    assert json.loads(event["envelope"])["data"]["display_name"] == "李*"
