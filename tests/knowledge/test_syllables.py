"""The shape of a Vietnamese syllable, checked on real document text and on known fragments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.syllables import has_tone, is_syllable, strip_tone
from knowledge.text import normalize

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.mark.parametrize(
    "word",
    ["cộng", "Đảng", "QUYẾT", "nghiêng", "người", "quốc", "quỳnh", "khuya", "thuở", "giữa",
     "giếng", "gì", "ở", "yêu", "oanh", "uống", "khuỷu", "hoạch", "xoăn", "Huỳnh"],
)
def test_real_syllables(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize(
    "word",
    ["C", "ng", "ngh", "đồngthời", "Covid", "TNCS", "càc", "tháng5", "qua̋", "hoàà", "quốcgia"],
)
def test_fragments_and_glued_words_are_not_syllables(word: str) -> None:
    assert not is_syllable(word)


def test_stop_final_rhymes_take_only_sac_or_nang() -> None:
    assert is_syllable("các") and is_syllable("cạc")
    assert not is_syllable("cảc") and not is_syllable("cầc")


def test_tone_helpers() -> None:
    assert strip_tone("Nghị quyết") == "Nghi quyêt"
    assert has_tone("việt") and not has_tone("viêt")


def test_every_word_of_the_real_docx_and_txt_documents_that_is_vietnamese_passes() -> None:
    """All lowercase words with a Vietnamese mark in the real DOCX documents are syllables
    (the TXT ones are OCR output, with OCR's misspellings)."""
    from indexer.loaders import word

    realdocs = SHARED / "realdocs"
    if not realdocs.exists():
        pytest.skip("shared/realdocs missing")
    failed: set[str] = set()
    checked = 0
    for path in sorted(realdocs.glob("*.docx")):
        text = word.extract(path.read_bytes()).text
        for token in re.findall(r"[^\W\d_]+", normalize(text)):
            marked = token != strip_tone(token).encode("ascii", "ignore").decode()
            if token.islower() and len(token) > 1 and marked:
                checked += 1
                if not is_syllable(token):
                    failed.add(token)
    assert checked > 5_000
    assert failed == set()
