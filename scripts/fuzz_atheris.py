"""Coverage-guided fuzzing of spaser.load with atheris (on demand, not in CI).

    pip install atheris
    python scripts/fuzz_atheris.py -max_total_time=600 [corpus_dir]

A crash is saved by libFuzzer as crash-*; copy it to tests/corpus/fuzz/ so
tests/test_fuzz_imports.py replays it for ever.
"""

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    import spaser
    import spaser.io.decp  # noqa: F401 - readers are imported lazily by load(): instrument them now
    import spaser.io.spreadsheet  # noqa: F401
    from spaser import SpaserError

_SUFFIXES = [".csv", ".xlsx", ".json", ".xml"]


def one_input(data: bytes) -> None:
    if not data:
        return
    suffix = _SUFFIXES[data[0] % len(_SUFFIXES)]
    fd, path = tempfile.mkstemp(suffix=suffix)
    try:
        os.write(fd, data[1:])
        os.close(fd)
        try:
            result = spaser.load(path)
        except SpaserError:
            return
        r = result.report
        if r.read != r.accepted + r.rejected:
            raise AssertionError("read != accepted + rejected")
    finally:
        os.unlink(path)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
