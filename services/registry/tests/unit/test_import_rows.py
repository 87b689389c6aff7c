"""The bulk import's prepared rows: the same envelope text as the outbox's own, COPY text that
PostgreSQL reads back as the values, real version-4 UUIDs, batch encryption that decrypts."""
import json
import uuid
from datetime import date, datetime, timezone

from hypothesis import given, strategies as st

from shanxing_common.messaging.envelope import Event
from shanxing_common.messaging.outbox import outbox_row
from shanxing_registry.adapters.id_vault import IdNumberVault
from shanxing_registry.adapters.import_rows import (ACCOUNT_COLUMNS, OUTBOX_COLUMNS, VOLUNTEER_COLUMNS, RowEncoder,
                                                    copy_text, select_rows)
from shanxing_registry.service.import_preparation import (EVENT_TYPE, PreparationSettings, Preparer, RawChunk,
                                                          random_uuids, records)

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


def preparer(copy=False):
    return Preparer(PreparationSettings(id_key="unit-test-id-key-0123456789abcdef0123456",
                                        id_hash_key="unit-test-hash-key-0123456789abcdef0123",
                                        today=date(2030, 6, 5), header=HEADER, copy=copy))


SOURCE = ("李四,11010519900307021x,13800138000,110105,first_aid,\r\n"
          "x,110105199003070010,123,110105,,\r\n"
          "\r\n"
          '"王\n五",110105198511110033,13800138001,110106,,elderly\r\n').encode()


def test_a_chunk_is_parsed_checked_and_encoded_in_file_order():
    chunk = RawChunk(first_line=2, lines=SOURCE.splitlines(keepends=True), last=True)
    assert [line for line, _ in records(chunk)] == [2, 3, 6]  # a record ends on its last line; blank skipped
    prepared = preparer().prepare(chunk, NOW)
    assert (prepared.lines, prepared.phones) == ([2, 6], ["13800138000", "13800138001"])
    assert len(prepared) == 3
    [(line, reasons, values)] = prepared.rejected
    assert line == 3 and "phone:" in reasons and "name:" in reasons and values[2] == "123"
    accounts, volunteers, events = prepared.tables
    assert prepared.fingerprints[0] == VAULT.fingerprint("11010519900307021X") == volunteers[0]["id_number_hash"]
    assert VAULT.decrypt(volunteers[0]["id_number_encrypted"]) == "11010519900307021X"
    assert accounts[0]["id"] == volunteers[0]["id"] == json.loads(events[0]["envelope"])["data"]["volunteer_id"]
    assert json.loads(events[0]["envelope"])["data"]["display_name"] == "李*"
    assert volunteers[1]["name"] == "王 五"  # the quoted line break, collapsed like any whitespace


def test_copy_text_of_a_chunk_is_one_line_per_row_and_rows_can_be_picked():
    chunk = RawChunk(first_line=2, lines=SOURCE.splitlines(keepends=True), last=True)
    accounts, volunteers, events = preparer(copy=True).prepare(chunk, NOW).tables
    assert all(isinstance(table, bytes) and table.count(b"\n") == 2 for table in (accounts, volunteers, events))
    second = select_rows(volunteers, [1])
    assert second == volunteers.split(b"\n", 1)[1] and copy_fields(second.decode())[1] == "王 五"
    assert select_rows(volunteers, []) == b"" and select_rows([{"a": 1}, {"b": 2}], [1]) == [{"b": 2}]


def test_chunks_are_cut_between_records_only(tmp_path):
    from shanxing_registry.service.bulk_import import _chunks

    path = tmp_path / "v.csv"
    path.write_bytes(b"header\n" + b"a\n" + b'"b\nstill b"\n' + b"c\n" + b"d\n")
    with open(path, "rb") as handle:
        handle.readline()
        chunks = list(_chunks(handle, 2, 0, lambda n: None))
    assert [(c.first_line, c.lines, c.last) for c in chunks] == [
        (2, [b"a\n", b'"b\n', b'still b"\n'], False), (5, [b"c\n", b"d\n"], False), (7, [], True)]
    with open(path, "rb") as handle:  # resuming after line 4 skips the first chunk's lines
        handle.readline()
        skipped = []
        assert [c.lines for c in _chunks(handle, 5, 4, skipped.append)] == [[b"c\n", b"d\n"]]
    assert len(skipped) == 3
