"""Compare two documents: the library entry point behind ``unspin compare``.

The pipeline follows the data: analyse (tokens, sentences, boilerplate) -> canonicalise
(weights, immutables) -> align (seeds, passages, word substitutions) -> facts -> judge.
"""

from __future__ import annotations

from unspin.align import AlignParams, align
from unspin.canonical import Canonical, canonicalise
from unspin.facts import changed_facts
from unspin.judge import JudgeParams, judge
from unspin.lexicon import Lexicon, default_lexicon
from unspin.models import Comparison, Document
from unspin.normalise import analyse


def prepare(doc: Document, lexicon: Lexicon | None = None) -> Canonical:
    """Analyse and canonicalise one document (reusable across many comparisons)."""
    return canonicalise(analyse(doc), lexicon or default_lexicon())


def compare_prepared(
    ca: Canonical,
    cb: Canonical,
    lexicon: Lexicon | None = None,
    align_params: AlignParams | None = None,
    judge_params: JudgeParams | None = None,
) -> Comparison:
    """Compare two documents already through :func:`prepare`."""
    lexicon = lexicon or default_lexicon()
    passages = align(ca, cb, lexicon, align_params)
    j = judge(ca, cb, passages, lexicon, judge_params)
    facts = changed_facts(ca, cb, passages) if passages else []
    return Comparison(
        a=ca.analysis.doc,
        b=cb.analysis.doc,
        verdict=j.verdict,
        score=j.score,
        coverage_a=j.coverage_a,
        coverage_b=j.coverage_b,
        spin_rate=j.spin_rate,
        original=j.original,
        original_reason=j.original_reason,
        passages=[p.passage for p in passages] if j.verdict != "unrelated" else [],
        changed_facts=facts if j.verdict != "unrelated" else [],
    )


def compare(
    a: Document,
    b: Document,
    lexicon: Lexicon | None = None,
    align_params: AlignParams | None = None,
    judge_params: JudgeParams | None = None,
) -> Comparison:
    """Decide whether ``b`` reuses ``a`` (or the reverse), and show how.

    >>> from unspin.documents import document_from_text
    >>> c = compare(document_from_text("a", "The cat sat on the mat."),
    ...             document_from_text("b", "Stock markets fell sharply on Monday."))
    >>> c.verdict
    'unrelated'
    """
    lexicon = lexicon or default_lexicon()
    return compare_prepared(
        prepare(a, lexicon), prepare(b, lexicon), lexicon, align_params, judge_params
    )
