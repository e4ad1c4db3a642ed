import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from unspin.documents import BadInputError, document_from_text, read_document, read_documents


def test_txt_with_date_prefix_keeps_offsets(tmp_path):
    p = tmp_path / "story.txt"
    p.write_text(" date 2023-09-12 Kim arrived in Russia.", encoding="utf-8")
    doc = read_document(p)
    assert doc.id == "story"
    assert doc.date == "2023-09-12"
    assert doc.text == " date 2023-09-12 Kim arrived in Russia."  # text exactly as read
    assert doc.text[doc.skip[0][1] :].startswith("Kim")


def test_txt_without_date():
    doc = document_from_text("x", "date of birth is unknown")
    assert doc.date is None and doc.skip == ()


def test_jsonl_reads_all_fields(tmp_path):
    p = tmp_path / "docs.jsonl"
    rows = [
        {"id": "a", "text": "One text.", "date": "2020-01-02T10:00:00Z", "url": "u", "title": "t"},
        {"id": "b", "text": "Another text."},
    ]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    docs = list(read_documents([p]))
    assert [d.id for d in docs] == ["a", "b"]
    assert docs[0].date == "2020-01-02" and docs[0].url == "u" and docs[0].line == 1


def test_jsonl_gz(tmp_path):
    p = tmp_path / "docs.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "a", "text": "Gzipped text."}) + "\n")
    assert [d.text for d in read_documents([p])] == ["Gzipped text."]


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "malformed JSON"),
        ('{"text": "no id"}', "'id'"),
        ('{"id": "x"}', "'text'"),
        ('{"id": "x", "text": "   "}', "empty text"),
        ('{"id": "x", "text": "t", "date": "yesterday"}', "ISO 8601"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_jsonl_bad_record_names_file_and_line(tmp_path, line, message):
    p = tmp_path / "bad.jsonl"
    p.write_text(json.dumps({"id": "ok", "text": "fine"}) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(BadInputError) as e:
        list(read_documents([p]))
    assert e.value.line == 2
    assert str(e.value).startswith(f"{p}:2: ")
    assert message in str(e.value)


def test_skip_bad_reports_and_keeps_good(tmp_path):
    p = tmp_path / "mixed.jsonl"
    p.write_bytes(
        b'{"id": "a", "text": "good"}\n{oops\n\xff\xfe\n{"id": "b", "text": "good too"}\n'
    )
    errors = []
    docs = list(read_documents([p], on_error=errors.append))
    assert [d.id for d in docs] == ["a", "b"]
    assert [e.line for e in errors] == [2, 3]
    assert "UTF-8" in str(errors[1])


def test_not_utf8_binary_empty(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9".encode("latin-1"))
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\x01\x02")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    for p, msg in ((latin, "UTF-8"), (binary, "binary"), (empty, "empty")):
        with pytest.raises(BadInputError, match=msg) as e:
            read_document(p)
        assert str(p) in str(e.value)


def test_missing_and_unknown_format(tmp_path):
    with pytest.raises(BadInputError, match="no such file"):
        read_document(tmp_path / "nope.txt")
    odd = tmp_path / "doc.docx"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(BadInputError, match="unknown format"):
        read_document(odd)


def test_folder_is_read_recursively_in_path_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("two", encoding="utf-8")
    (tmp_path / "a.txt").write_text("one", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored: not a document format", encoding="utf-8")
    assert [d.id for d in read_documents([tmp_path])] == ["a", "2"]


def test_parquet(tmp_path):
    p = tmp_path / "docs.parquet"
    table = pa.table(
        {"id": ["a", "b"], "text": ["First.", "Second."], "date": ["2021-05-01", None]}
    )
    pq.write_table(table, p)
    docs = list(read_documents([p]))
    assert [(d.id, d.date) for d in docs] == [("a", "2021-05-01"), ("b", None)]


def test_parquet_missing_column_and_not_parquet(tmp_path):
    p = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"id": ["a"]}), p)
    with pytest.raises(BadInputError, match="missing column"):
        list(read_documents([p]))
    fake = tmp_path / "fake.parquet"
    fake.write_text("not parquet", encoding="utf-8")
    with pytest.raises(BadInputError, match="not a Parquet file"):
        list(read_documents([fake]))


def test_read_document_needs_exactly_one(tmp_path):
    p = tmp_path / "two.jsonl"
    p.write_text('{"id": "a", "text": "x"}\n{"id": "b", "text": "y"}\n', encoding="utf-8")
    with pytest.raises(BadInputError, match="expected one document, found 2"):
        read_document(p)


def test_a_folder_named_like_a_text_file_is_read_as_a_folder(tmp_path):
    folder = tmp_path / "story.txt"
    folder.mkdir()
    (folder / "inside.txt").write_text("The one document inside.", encoding="utf-8")
    doc = read_document(folder)
    assert doc.id == "inside" and doc.text == "The one document inside."
    (folder / "second.txt").write_text("Another.", encoding="utf-8")
    with pytest.raises(BadInputError, match="expected one document, found 2"):
        read_document(folder)


def test_reading_a_text_file_directly_gives_the_same_document(tmp_path):
    p = tmp_path / "Story.TXT"
    p.write_bytes(b"date 2024-05-01\nA story.\n")
    direct, listed = read_document(str(p)), next(read_documents([p]))
    assert direct == listed and direct.id == "Story" and direct.date == "2024-05-01"
