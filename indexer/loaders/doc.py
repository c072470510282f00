"""Legacy Word 97-2003 files (.doc), converted to DOCX by LibreOffice headless and then read
by the DOCX loader, so tables, header blocks and legacy fonts come out as they do for DOCX.

Chosen by measuring on the real `.doc` files (`bench/doc_fidelity.py`): against the DOCX twin
of the same plan, LibreOffice kept 100% of the syllables in order and 100% of the table rows;
antiword 99.3% and 91% (cells of a header table fall apart), catdoc 96.2% (it lost a whole
paragraph to stray bytes and let field codes through). On the Hiến pháp 2013, measured
against the gazette PDF, LibreOffice and antiword both kept 97.9% (the rest is the
gazette's own headers). LibreOffice is also the one still maintained, and its DOCX keeps the
fonts that tell a TCVN3 (.VnTime) text.

`soffice` is a system package (Debian `libreoffice-writer-nogui`, installed by `make`). Each
conversion gets its own temporary profile folder, so conversions never wait on each other or
on a desktop LibreOffice the operator has open.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from indexer.loaders import word
from indexer.loaders.base import Extracted, LoadError, LoadOptions

logger = logging.getLogger(__name__)

INSTALL_HINT = "install LibreOffice (Debian: libreoffice-writer-nogui; `make install-doc`)"
# The first bytes of an OLE2 compound file, the container of every Word 97-2003 document.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def missing_reason(command: str) -> str | None:
    """None when `command` (soffice) is installed, else what to install."""
    return None if shutil.which(command) else INSTALL_HINT


def extract(data: bytes, options: LoadOptions | None = None) -> Extracted:
    """Text of a `.doc`. Raises LoadError when LibreOffice is missing (saying what to install),
    or cannot convert the file (damaged, password-protected, not a Word file, too slow)."""
    options = options or LoadOptions()
    if data.startswith(b"PK\x03\x04"):
        # A DOCX saved under a .doc name (common when files are renamed by hand).
        return word.extract(data)
    if not data.startswith(_OLE2_MAGIC):
        raise LoadError("not a Word 97-2003 document")
    command = shutil.which(options.soffice)
    if command is None:
        raise LoadError(f".doc not read: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="tuyengiao-doc-") as tmp:
        folder = Path(tmp)
        source = folder / "document.doc"
        source.write_bytes(data)
        try:
            done = subprocess.run(
                [
                    command,
                    f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--headless", "--norestore", "--infilter=MS Word 97", "--convert-to", "docx",
                    "--outdir", str(folder / "out"), str(source),
                ],
                capture_output=True, timeout=options.doc_timeout, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise LoadError(f"LibreOffice took more than {options.doc_timeout:.0f}s") from exc
        converted = folder / "out" / "document.docx"
        if done.returncode != 0 or not converted.exists():
            logger.warning(
                "LibreOffice could not convert a .doc (exit %s): %s",
                done.returncode, done.stderr.decode("utf-8", "replace").strip()[-300:],
            )
            raise LoadError("corrupt or password-protected .doc (LibreOffice could not read it)")
        return word.extract(converted.read_bytes())
