import json

from unspin.jsonl import json_line


def test_one_line_with_its_newline_that_json_reads_back():
    obj = {"verdict": "spun_copy", "score": 0.1234, "passages": [{"a_start": 0, "b": None}]}
    line = json_line(obj)
    assert line.endswith("\n") and line.count("\n") == 1
    assert json.loads(line) == obj


def test_text_stays_utf8_and_keys_keep_their_order():
    line = json_line({"b": "Linked Push \u2014 \u00a3300 \u201cquoted\u201d", "a": "line\nbreak"})
    assert "\u2014" in line and "\\u" not in line  # no ASCII escapes of text
    assert line.index('"b"') < line.index('"a"')
    assert json.loads(line)["a"] == "line\nbreak"  # a newline in text is escaped, not a new line
