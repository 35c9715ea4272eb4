"""The libyaml fast path reads every YAML text exactly as the ruamel path does, or declines it.

``parse_yaml`` takes the fast path when libyaml is installed; ``parse_yaml_ruamel`` is the path
every file took before. For each text both give the same ``data`` and ``positions``, or both
refuse with the same located error: checked on every YAML file of the project and on snippets of
every kind of scalar and structure whose meaning YAML 1.1 and 1.2 (or libyaml and ruamel) could
read differently.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gap_engine import yaml_fast
from gap_engine.errors import InputErrors
from gap_engine.yamlio import LoadedYaml, load_yaml, parse_yaml, parse_yaml_ruamel, read_text

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted(
    p
    for folder in ("fixtures", "rules", "examples", "tests/data", "gap_engine")
    for pattern in ("*.yaml", "*.yml")
    for p in (ROOT / folder).rglob(pattern)
)

pytestmark = pytest.mark.skipif(not yaml_fast.available(), reason="PyYAML's libyaml extension is not installed")


def _same(a: Any, b: Any) -> bool:
    """Equality that also holds for NaN and tells 1 from 1.0 from True (a wrong type is a wrong answer)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(k1, k2) and _same(a[k1], b[k2]) for k1, k2 in zip(a, b, strict=True))
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def outcome(parse: Any, text: str) -> tuple[str, Any, Any]:
    try:
        loaded: LoadedYaml = parse(text, "snippet.yaml")
    except InputErrors as exc:
        return ("error", str(exc), None)
    return ("data", loaded.data, loaded.positions)


def assert_same_reading(text: str) -> tuple[str, Any, Any]:
    fast, slow = outcome(parse_yaml, text), outcome(parse_yaml_ruamel, text)
    assert fast[0] == slow[0], (text, fast, slow)
    if fast[0] == "error":
        assert fast[1] == slow[1], text
    else:
        assert _same(fast[1], slow[1]), (text, fast[1], slow[1])
        assert fast[2] == slow[2], (text, fast[2], slow[2])
    return fast


def test_corpus_is_the_projects_yaml() -> None:
    names = {p.name for p in CORPUS}
    assert {"no_norway.yaml", "generative_ai.yaml", "paper.yaml", "pack.yaml", "waivers.yaml", "duplicate_keys.yaml"} <= names
    assert len(CORPUS) > 30


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_project_file_reads_the_same_on_both_paths(path: Path) -> None:
    try:
        text = read_text(path)
    except InputErrors:
        return  # binary, empty or not UTF-8: refused before any parser sees it
    if path.name == "deeply_nested.yaml":
        # 5,000 levels take ruamel seconds to refuse; the fast path refuses at once with the same
        # message (tests/test_hardening.py checks it end to end, the snippets below compare both paths).
        with pytest.raises(InputErrors, match="YAML is nested too deeply"):
            parse_yaml(text, str(path))
        return
    assert_same_reading(text)


def test_nesting_beyond_libyamls_limit_is_refused_at_once() -> None:
    """libyaml stops at 1,000 levels; that is refused as too deep without handing the text to ruamel
    (which would take seconds over 5,000 brackets to say the same)."""
    for text in ("[" * 5000 + "]" * 5000, "{a: " * 1500 + "}" * 1500):
        with pytest.raises(yaml_fast.TooDeep):
            yaml_fast.compose(text)
        with pytest.raises(InputErrors, match="YAML is nested too deeply"):
            parse_yaml(text, "deep.yaml")


def test_project_files_take_the_fast_path() -> None:
    """The speed is real only if ordinary files are not all declined (a fallback is silent)."""
    for path in CORPUS:
        if path.parent.name in {"fixtures", "rules"}:
            assert yaml_fast.compose(read_text(path)) is not None, path


def test_norway_stays_no() -> None:
    """Under YAML 1.1 (PyYAML's stock loader) NO is False; here it is Norway's code."""
    loaded = load_yaml(ROOT / "fixtures" / "no_norway.yaml")
    assert loaded.data["jurisdiction"]["code"] == "NO"


SNIPPETS = [
    # booleans: YAML 1.2 core knows only true/false; yes/no/on/off/y/n stay text
    "a: [true, True, TRUE, false, False, FALSE, yes, no, NO, on, off, On, OFF, y, n, Y, N, tRue]",
    # nulls
    "a: [~, null, Null, NULL, nUll, '', \"\"]\nb:\nc: ~",
    # integers
    "a: [0, -0, +1, 1, -17, 007, 00, 0o17, 0o8, 0x1F, 0xG, 0b101, 1_000, 12345678901234567890123456789]",
    "a: " + "9" * 4300,
    "a: " + "9" * 4301,
    "a: -" + "1" * 5000,
    # floats
    "a: [1.5, -1.5, +1.5, 1., .5, -.5, 1e3, 1E3, 1e+3, 1.5e-3, .5e3, .5e+3, 1_0.5, 01.5, 6.8523015e+5]",
    "a: [.inf, .Inf, .INF, -.inf, +.inf, .nan, .NaN, .NAN, -.nan, inf, nan]",
    # YAML 1.1's value and merge keys
    "a: =",
    "a: [=, '=', ==]",
    "= : 1",
    "<<: {a: 1}\nb: 2",
    "a: <<",
    "'<<': 1",
    # timestamps and dates stay text
    "a: [2024-01-01, 2024-13-01, 2024-1-1, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10 -5, 2024-01-01T00:00:00Z]",
    "as_of: 2024-02-30",
    # sexagesimal (YAML 1.1 numbers) stays text in 1.2
    "a: [1:20, 190:20:30, 190:20:30.15]",
    # quoted and block scalars
    "a: 'it''s'\nb: \"tab\\tand \\u00e9\"\nc: |\n  line one\n  line two\nd: >-\n  folded\n  text\ne: |+\n  kept\n\nf: 'true'\ng: \"1\"",
    "a: |\n  # not a comment\n  %not a directive\n",
    # keys of every scalar kind
    "1: a\n1.5: b\ntrue: c\nnull: d\n'x y': e\n2024-01-01: f",
    "a: 1\na: 2",
    "1: a\n1.0: b",
    "true: a\nTrue: b",
    "[a]: 1",
    "{a: 1}: 2",
    "? [a, b]\n: 1",
    "? a\n: 1",
    "int: 1\nstr: 2\n'a[0]': 3",
    # tags
    "a: !x [a]",
    "a: !!omap [{a: 1}]",
    "a: !!python/object:os.system {}",
    "a: !!str 5",
    "a: !!int '5'",
    "a: ! 5",
    "a: !x foo",
    "a: hi! there\nb: '!'",
    "%TAG ! tag:example.com,2000:\n---\na: !x 1",
    # anchors and aliases
    "a: &x 1\nb: *x",
    "a: &x 1\nb: 2",
    "a: &x [1]\nb: *x",
    "a: *x",
    # directives and documents
    "%YAML 1.1\n---\na: yes",
    "%YAML 1.2\n---\na: yes",
    "",
    "# only a comment\n",
    "---\n",
    "--- a\n--- b",
    "a: 1\n---\nb: 2",
    "a: 1\n...\n",
    "---\na: 1\n...",
    "just text",
    "'quoted root'",
    "- a\n- b",
    "[]",
    "{}",
    "\ufeffa: 1",
    "\ufeff- x",
    # characters libyaml and ruamel treat differently: line breaks of YAML 1.1 only, tabs
    "a: x\u2028y\nb: 1",
    'a: "x\u2028y"\nb: 1',
    "a: x\u2029\nb: 1",
    "a: x\x85y\nb: 1",
    "a: x\tb",
    "a:\tb",
    "a: 'x\ty'\nb: 1",
    "a: x\r\nb: 1\r\n",
    "a: x\rb: 1",
    'a: "\\u2028 \\x85 \\t"',
    "a: x\x7fy",
    "a: \U0001f600\nb: \u00e9t\u00e9",
    # structure and positions
    "a:\n  b:\n    - c: 1\n      d: [1, {e: 2}]\n    - - x\n      - y\n  f: {g: h, i: [j, k]}\n",
    "a: [\n  1,\n  2\n]\nb: {\n  c: d\n}",
    "# lead\n\n\n  a: 1\n  b: 2",
    "a:\n- 1\n- 2",
    "a: 1 # comment\nb: 2",
    "k: v\n  w",
    # syntax errors
    "a: [1, 2",
    "a: {b: 1",
    "a: b: c",
    "a:\n\t- x",
    "a: 'unterminated",
    "- a\nb: 1",
    "[" * 100 + "]" * 100,
    "[" * 101 + "]" * 101,
    "[" * 102 + "]" * 102,
    "a:\n" + "".join(" " * i + "- \n" for i in range(1, 100)),
    "a:\n" + "".join(" " * i + "- \n" for i in range(1, 101)),
    "".join(" " * i + "a:\n" for i in range(150)),
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippet_reads_the_same_on_both_paths(text: str) -> None:
    assert_same_reading(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [yes, no, NO, on, off]", {"a": ["yes", "no", "NO", "on", "off"]}),
        ("a: [true, FALSE, ~, null, 12, -3, 1.5, .5]", {"a": [True, False, None, None, 12, -3, 1.5, 0.5]}),
        ("a: [2024-01-01, 2024-13-01]", {"a": ["2024-01-01", "2024-13-01"]}),
        ("a: =", {"a": "="}),
        ("a: [0o17, 0x1F, 1_000, 017]", {"a": [15, 31, 1000, 17]}),
        ("a: 1:20", {"a": "1:20"}),
        # ruamel's resolver took these for numbers and its constructor failed (tracebacks found by hypothesis)
        ("a: [._, +._, 0x_, 0o_, 0b_, -_, _]", {"a": ["._", "+._", "0x_", "0o_", "0b_", "-_", "_"]}),
        ("\ufeffa: 1", {"a": 1}),
    ],
)
def test_what_the_snippets_mean(text: str, expected: Any) -> None:
    """Agreement alone could hide both paths being wrong: these pin the YAML 1.2 core reading."""
    kind, data, _ = assert_same_reading(text)
    assert kind == "data" and _same(data, expected), data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !x [a]", "snippet.yaml:1:4: a: YAML tag !x is not allowed"),
        ("a: !!omap [{a: 1}]", "snippet.yaml:1:4: a: YAML tag !!omap is not allowed"),
        ("a: ! 5", "snippet.yaml:1:4: a: YAML tag ! is not allowed"),
        ("<<: {a: 1}\nb: 2", "snippet.yaml:1:1: YAML merge key '<<' is not allowed"),
        ("a: 1\na: 2", 'snippet.yaml:2:1: found duplicate key "a"'),
        ("[a]: 1", "snippet.yaml:1:1: a key must be a name, not a list"),
        ("x:\n  {a: 1}: 2", "snippet.yaml:2:3: x: a key must be a name, not a mapping"),
        ("a: " + "9" * 4301, "snippet.yaml:1:4: a: an integer of 4,301 digits is too long (at most 4,300)"),
        ("a: &x 1\nb: *x", "snippet.yaml:2:4: b: YAML alias *x is not allowed"),
        ("a:\n  b: [1, {c: !!str x}]", "snippet.yaml:2:14: a.b[1].c: YAML tag !!str is not allowed"),
        ("a:\n  - {}\n  - <<: {x: 1}", "snippet.yaml:3:5: a[1]: YAML merge key '<<' is not allowed"),
        ("a: {b: 1, c: 1" + "0" * 4400 + "}", "snippet.yaml:1:14: a.c: an integer of 4,401 digits is too long"),
        ("a: 1_" + "0" * 4299, None),  # 4,301 characters but 4,300 digits: Python reads it
        ("--- a\n--- b", "snippet.yaml:2:1: but found another document"),
        ("[" * 102 + "]" * 102, "snippet.yaml: YAML is nested too deeply"),
        ("".join(" " * i + "a:\n" for i in range(150)), "snippet.yaml: YAML is nested too deeply"),
    ],
)
def test_what_the_snippets_refuse(text: str, expected: str | None) -> None:
    kind, message, _ = assert_same_reading(text)
    if expected is None:
        assert kind == "data", message
    else:
        assert kind == "error" and message.startswith(expected), message


def test_the_fast_path_is_taken_for_ordinary_text_and_declines_the_odd() -> None:
    """Not a speed test: which texts the fast path builds itself, so 'same result' is not only ever ruamel's."""
    assert yaml_fast.compose("a: [1, yes, 2024-01-01]\nb: {c: ~}") == (
        {"a": [1, "yes", "2024-01-01"], "b": {"c": None}},
        {(): (1, 1), ("a",): (1, 1), ("a", 0): (1, 5), ("a", 1): (1, 8), ("a", 2): (1, 13), ("b",): (2, 1), ("b", "c"): (2, 5)},
    )
    for odd in ("a: 0x1F", "a: !!str x", "a: &x 1\nb: *x", "<<: {a: 1}", "a: 1\na: 2", "[a]: 1", "%YAML 1.2\n---\na: 1", "a: b: c"):
        assert yaml_fast.compose(odd) is None, odd


# Hypothesis: random plain scalars in every position a profile could hold them.
_plain_words = st.text(alphabet="aeNoyYtTfF0123456789.-+_:~=<eExXbB #'\"\t\u2028\x85", min_size=1, max_size=12).map(str.strip).filter(bool)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_plain_words, _plain_words), min_size=1, max_size=6))
def test_random_plain_scalars_read_the_same(pairs: list[tuple[str, str]]) -> None:
    text = "".join(f"k{i} {key}: {value}\n" for i, (key, value) in enumerate(pairs))
    text += "block:\n" + "".join(f"  - {value}\n" for _, value in pairs)
    text += "flow: [" + ", ".join(value for _, value in pairs) + "]\n"
    text += "keys: {" + ", ".join(f"{key}: {i}" for i, (key, _) in enumerate(pairs)) + "}\n"
    assert_same_reading(text)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["yes", "NO", "on", "2024-02-30", "=", "<<", "~", "0x1F", "1_000", "# not a comment", "a: b", "- x", "'q'"]),
)
_documents = st.recursive(
    _scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(_documents, st.sampled_from([None, True, False]))
def test_random_documents_dumped_by_ruamel_read_the_same(document: Any, flow: bool | None) -> None:
    """Whatever ruamel writes (block, flow or mixed style, any quoting it chooses) both paths read alike."""
    import io

    from ruamel.yaml import YAML

    writer = YAML(typ="safe", pure=True)
    writer.default_flow_style = flow
    writer.allow_unicode = True
    stream = io.StringIO()
    writer.dump({"doc": document}, stream)
    assert_same_reading(stream.getvalue())


# --- without libyaml --------------------------------------------------------------------------------


def test_without_the_c_extension_the_ruamel_path_reads_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    assert not yaml_fast.available()
    calls: list[str] = []
    monkeypatch.setattr(yaml_fast, "compose", lambda text: calls.append(text))
    loaded = load_yaml(ROOT / "fixtures" / "no_norway.yaml")
    assert loaded.data["jurisdiction"]["code"] == "NO"
    assert loaded.positions[("jurisdiction", "code")][0] > 1
    assert calls == []


def test_without_pyyaml_the_ruamel_path_reads_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)  # makes `import yaml` raise ImportError
    assert not yaml_fast.available()
    text = read_text(ROOT / "fixtures" / "no_norway.yaml")
    assert parse_yaml(text, "n.yaml").data == parse_yaml_ruamel(text, "n.yaml").data
    with pytest.raises(InputErrors, match="YAML tag !x is not allowed"):
        parse_yaml("a: !x [a]", "t.yaml")
