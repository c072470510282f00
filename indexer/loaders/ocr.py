"""OCR of scanned PDF pages with Tesseract and its Vietnamese data, through pytesseract.

Pages are rendered by PDFium (pypdfium2, already the PDF text reader) at `ocr_dpi` in
grey, so no second PDF library (poppler's pdftoppm) is needed, and handed to the
`tesseract` command by pytesseract, a thin kept wrapper around it. Tesseract itself is a
system package (Debian `tesseract-ocr` and `tesseract-ocr-vie`, installed by `make`); when
it or its language data is missing, `missing_reason` says what to install and the PDF
loader reports the pages it could not read instead of indexing an empty document.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import lru_cache

import pytesseract
from PIL.Image import Image

logger = logging.getLogger(__name__)

# One page may not hold the indexer longer than this (a 300 dpi A4 page takes 2-5 s on the
# 2-core machine this runs on; a huge or pathological page is given up with a warning).
PAGE_TIMEOUT_S = 120


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
    text line").

    Raises RuntimeError when Tesseract fails or runs past PAGE_TIMEOUT_S on this page.
    """
    pytesseract.pytesseract.tesseract_cmd = command
    try:
        return pytesseract.image_to_string(
            image, lang=languages, config="--psm 7" if single_line else "--psm 3",
            timeout=PAGE_TIMEOUT_S,
        )
    except (pytesseract.TesseractError, RuntimeError, OSError) as exc:
        # pytesseract raises RuntimeError("Tesseract process timeout") on the timeout.
        raise RuntimeError(f"tesseract failed: {exc}") from exc
