import shutil

import pytest

from benchmarks.count_instructions import instructions, main


def test_reads_the_instruction_total_of_a_cachegrind_report():
    report = "==61== Cachegrind, a cache and branch-prediction profiler\n==61== \n"
    report += "==61== I   refs:      1,924,374,773\n==61== D   refs:  855,594,733\n"
    assert instructions(report) == 1_924_374_773
    with pytest.raises(RuntimeError):
        instructions("valgrind: failed to start tool 'cachegrind'")


@pytest.mark.skipif(shutil.which("valgrind") is not None, reason="valgrind is installed")
def test_says_so_when_valgrind_is_missing(capsys):
    assert main(["--pairs", "1", "--warmup", "0"]) == 2
    assert "valgrind" in capsys.readouterr().err
