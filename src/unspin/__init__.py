"""unspin: find where a text came from, even after it was spun.

The library comes first; the ``unspin`` command is a thin layer over it::

    from unspin import compare, read_document
    result = compare(read_document("a.txt"), read_document("b.txt"))
    print(result.verdict, result.to_json())
"""

import os as _os

# unspin's matrices are small (sentences x words of two documents): BLAS worker threads
# cost more than they bring, and they fight with our own worker processes (--jobs).
# Only a default: an explicit setting by the user wins, and numpy imported earlier keeps
# whatever it had.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")

__version__ = "0.1.0"

from unspin.compare import compare  # noqa: E402
from unspin.documents import BadInputError, read_document, read_documents  # noqa: E402
from unspin.models import Comparison, Document  # noqa: E402

__all__ = [
    "BadInputError",
    "Comparison",
    "Document",
    "compare",
    "read_document",
    "read_documents",
    "__version__",
]
