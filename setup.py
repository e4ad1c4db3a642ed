"""Build hook: compile the comparison's hot modules with mypyc when a C compiler is at hand.

unspin is plain, type-hinted Python. mypyc (the compiler mypy ships, which black and mypy
itself are built with) turns the modules below into C extensions that run the same source
in fewer machine instructions (BENCHMARKS.md, sessions 8 and 9): the aligner's loops, the
key tables, the tokeniser and the judgement are Python code between numpy calls.

The tokeniser (``normalise``) and the thesaurus (``lexicon``) are compiled too: the first
calls ``str.lower`` through a plain callable (mypyc's own ``str.lower`` does not treat a final
Greek sigma as Python does), the second keeps what other modules derive from it in its own
tables rather than behind weak references (which mypyc's classes do not take). Everything
else is left to the interpreter: the data classes (``models``) because compiled frozen
dataclasses do not unpickle, and results travel between worker processes; the interfaces
because they are not hot.

The build never depends on the compiler: when mypyc or a C compiler is missing, or
``UNSPIN_PURE_PYTHON=1`` is set, the package installs as pure Python and behaves the same,
only slower (``unspin --version`` says which). In an editable install the compiled modules
sit next to their sources and shadow them: after editing one, install again (the test
suite refuses to run on a stale one).
"""

from __future__ import annotations

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

# The modules a comparison spends its Python time in (keep in step with
# unspin.build.COMPILED).
COMPILED = ["align", "canonical", "compare", "facts", "judge", "lexicon", "normalise"]


def _warn(message: str) -> None:
    print(f"unspin: {message}; installing pure Python (same results, slower)", file=sys.stderr)


class OptionalBuildExt(build_ext):
    """build_ext that leaves nothing half built: the compiled modules load a shared runtime
    library, so if any extension fails to build, none is kept."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # (no compiler, headers missing, ...)
            for path in self.get_outputs():
                if os.path.exists(path):
                    os.remove(path)
            _warn(f"compiling with mypyc failed ({error})")


def _extensions() -> list:
    if os.environ.get("UNSPIN_PURE_PYTHON") == "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        _warn("mypyc is not installed")
        return []
    try:
        return mypycify(
            [f"src/unspin/{name}.py" for name in COMPILED],
            opt_level="3",
            group_name="unspin",
        )
    except (Exception, SystemExit) as error:  # (mypyc exits on a type error)
        _warn(f"mypyc could not compile the modules ({error})")
        return []


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
