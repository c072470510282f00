"""OCR of scanned PDF pages with Tesseract and its Vietnamese data.

Pages are rendered by PDFium (pypdfium2, already the PDF text reader) at `ocr_dpi` in
grey, so no second PDF library (poppler's pdftoppm) is needed, and piped to the `tesseract`
command as an uncompressed PGM image (`tesseract stdin stdout`: no temporary files, no PNG
encoding). Tesseract itself is a system package (Debian `tesseract-ocr` and
`tesseract-ocr-vie`, installed by `make`); when it or its language data is missing,
`missing_reason` says what to install and the PDF loader reports the pages it could not read
instead of indexing an empty document.

Each Tesseract runs with `OMP_THREAD_LIMIT=1`. Debian's Tesseract 5 is built with OpenMP,
which its maintainers found to use the CPU inefficiently for recognition (tesseract-ocr
issue #3744; #1081 gives this variable as the way to turn it off): on the 2-core machine one
page took 0.45 s of CPU with one thread against 1.0-1.3 s with OpenMP's default, and while
the indexer encodes passages on the same cores, OpenMP's spinning threads only slow both
down. Pages are read side by side by the indexer's reading threads instead. The variable is
set for the child process only: setting it in our own process would also cap PyTorch.
(pytesseract, used before, passes our whole environment to the child and cannot take one.)
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
from functools import lru_cache

from PIL.Image import Image

logger = logging.getLogger(__name__)

# One page may not hold the indexer longer than this (a 300 dpi A4 page takes 0.5-3 s on the
# 2-core machine this runs on; a huge or pathological page is given up with a warning).
PAGE_TIMEOUT_S = 120
_ONE_THREAD = {"OMP_THREAD_LIMIT": "1"}


@lru_cache(maxsize=8)
def missing_reason(command: str, languages: str) -> str | None:
    """None when `command` runs Tesseract with every language in `languages` ("vie",
    "vie+eng"); otherwise what to install, e.g. "install tesseract-ocr and tesseract-ocr-vie"
    (the Debian packages; `make install-ocr` runs apt-get for them)."""
    wanted = [lang for lang in languages.split("+") if lang]
    packages = " and ".join(f"tesseract-ocr-{lang}" for lang in wanted)
    if shutil.which(command) is None:
        return f"install tesseract-ocr and {packages}"
    try:
        output = subprocess.run(
            [command, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("tesseract does not run: %s", exc)
        return f"reinstall tesseract-ocr and {packages} (tesseract does not run)"
    # "List of available languages in ... (3):" then one code per line (on stdout or stderr).
    listed = set((output.stdout + output.stderr).split())
    missing = [lang for lang in wanted if lang not in listed]
    if missing:
        return "install " + " and ".join(f"tesseract-ocr-{lang}" for lang in missing)
    return None


def recognise(image: Image, *, command: str, languages: str, single_line: bool = False) -> str:
    """The text Tesseract reads on one page image (page segmentation: automatic, psm 3), or
    on the image of one printed line (`single_line`: psm 7, "treat the image as a single
    text line"), as UTF-8 text with a blank line after each block and a form feed at the end.

    Raises RuntimeError when Tesseract fails or runs past PAGE_TIMEOUT_S on this page.
    """
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PPM")  # a grey image saves as binary PGM (P5)
    try:
        done = subprocess.run(
            [command, "stdin", "stdout", "-l", languages, "--psm", "7" if single_line else "3"],
            input=buffer.getvalue(), capture_output=True, timeout=PAGE_TIMEOUT_S,
            env={**os.environ, **_ONE_THREAD}, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"tesseract failed: more than {PAGE_TIMEOUT_S}s on one page") from exc
    except OSError as exc:
        raise RuntimeError(f"tesseract failed: {exc}") from exc
    if done.returncode != 0:
        # Tesseract prints "Estimating resolution as ..." on stderr even when all is well:
        # only the last lines say what went wrong.
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-2:]
        raise RuntimeError(f"tesseract failed (exit {done.returncode}): {' '.join(detail)}")
    return done.stdout.decode("utf-8", "replace")
