"""The shape of a written Vietnamese syllable: onset + rhyme + one tone mark.

Vietnamese is written one syllable per word, and the set of possible syllables is small and
closed: an optional initial consonant (onset), a rhyme from a fixed list, and at most one tone
mark. That makes it possible to tell a real syllable ("cộng") from a fragment left by a broken
PDF text layer ("C", "ộng" is a syllable too, but "C" is not) or from two syllables glued
together ("đồngthời"). Used by the text repair (`indexer.loaders.repair`) and by
`bench/split_syllables.py`, which measures how many syllables a text layer splits.

Source of the tables: the orthographic onset and rhyme inventory of Quốc ngữ as given in
Đoàn Thiện Thuật, "Ngữ âm tiếng Việt" (NXB ĐHQG Hà Nội, 1977/2003), ch. 4-5, written out in
spelling (so "qu", "gi", "gh", "ngh" are onsets here and "oa", "uy" rhymes). The check is
deliberately a little generous (it does not enforce c/k/q or g/gh spelling rules): it is
used to decide whether a fragment *can* be a syllable, and a rare false "yes" only means a
repair is not made.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["is_syllable", "strip_tone", "has_tone", "ONSETS", "RHYMES"]

# Tone marks as combining characters: grave (huyền), acute (sắc), tilde (ngã), hook (hỏi),
# dot below (nặng).
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_ACUTE_OR_DOT = frozenset("\u0301\u0323")

ONSETS = frozenset(
    "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph q qu r s t th tr v x".split()
)

# Rhymes without their tone. Each line: the rhymes built on one main vowel (with the glide
# "o"/"u" forms after it).
_RHYMES_TEXT = """
a ac ach ai am an ang anh ao ap at au ay
ăc ăm ăn ăng ăp ăt
âc âm ân âng âp ât âu ây
e ec em en eng eo ep et
ê êch êm ên ênh êp êt êu
i ich im in inh ip it iu ia iêc iêm iên iêng iêp iêt iêu
o oc oi om on ong op ot ooc oong
oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oe oen oeo oet
ô ôc ôi ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u uc ui um un ung up ut ua uôc uôi uôm uôn uông uôt
uân uâng uât uây uê uêch uênh uơ uy uya uych uyn uynh uyp uyt uyu uyên uyêt
ư ưc ưi ưm ưn ưng ưt ưu ưa ươc ươi ươm ươn ương ươp ươt ươu
y yêm yên yêng yêt yêu
"""
RHYMES = frozenset(_RHYMES_TEXT.split())
# After "qu" the glide is the onset's own u: "quân" = qu + ân, "quyết" = qu + yêt.
_QU_RHYMES = frozenset(r for r in RHYMES if r[0] in "aăâeêioôơy") | {"ynh", "ych", "yt", "yn"}
# After "gi" the i is the onset's: "giếng" = gi + êng, "giữa" = gi + ưa.
_GI_RHYMES = RHYMES | {"êc", "êm", "ên", "êng", "êp", "êt", "êu"}
_STOP_CODAS = ("c", "ch", "p", "t")
# Longest first, so that "ngh" is tried before "ng" and "n".
_ONSETS_BY_LENGTH = sorted(ONSETS, key=len, reverse=True)


def strip_tone(text: str) -> str:
    """`text` in NFC without its tone marks (quality marks ă â ê ô ơ ư and đ stay)."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))


def has_tone(text: str) -> bool:
    """True when `text` carries a tone mark (huyền, sắc, ngã, hỏi, nặng)."""
    return any(c in _TONES for c in unicodedata.normalize("NFD", text))


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """True when `word` (any case, NFC or NFD) is one possible written Vietnamese syllable.

    "cộng", "Nghị", "QUYẾT", "ở" → True; "C", "ngh", "đồngthời", "Covid" → False. A word
    with two tone marks, or a stop-final rhyme (-c, -ch, -p, -t) with a tone other than sắc or
    nặng ("càc"), is not one.
    """
    if not word or not word.isalpha():
        return False
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) > 1:
        return False
    bare = strip_tone(word.lower())
    for onset in (*_ONSETS_BY_LENGTH, ""):
        if not bare.startswith(onset):
            continue
        rhyme = bare[len(onset):]
        if not _rhyme_fits(onset, rhyme):
            continue
        if tones and rhyme.endswith(_STOP_CODAS) and tones[0] not in _ACUTE_OR_DOT:
            continue
        return True
    return False


def _rhyme_fits(onset: str, rhyme: str) -> bool:
    if onset == "qu":
        return rhyme in _QU_RHYMES
    if onset == "q":
        return False  # q is always written with its u
    if onset == "gi":
        return rhyme in _GI_RHYMES or rhyme == ""  # "gì" = gi + (i) with the tone on i
    return rhyme in RHYMES
