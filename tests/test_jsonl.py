import json
import math

import numpy as np

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


def test_numbers_numpy_computed_are_written_as_plain_numbers():
    obj = {"p": np.float64(0.1234), "n": np.int64(3), "f": np.float32(0.5), "b": np.bool_(True)}
    back = json.loads(json_line(obj))
    assert back == {"p": 0.1234, "n": 3, "f": 0.5, "b": True}
    assert json.loads(json_line({"p": round(np.float64(2 / 3), 4)})) == {"p": 0.6667}


def test_other_float_and_int_subclasses_as_json_dumps_writes_them():
    class Score(float):
        pass

    class Count(int):
        pass

    line = json_line({"s": Score(math.pi), "c": Count(7)})
    assert json.loads(line) == json.loads(json.dumps({"s": Score(math.pi), "c": Count(7)}))
