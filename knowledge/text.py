"""Vietnamese text normalisation, folding and tokenisation.

Two forms, for two jobs:

- `normalize`: the stored and quoted form of a text. NFD input, odd spaces, zero-width and
  control characters and look-alike letters ("Ð" for "Đ", a Cyrillic "С" inside
  "05-СТ/TW") are unified, but every letter stays as the document spells it: a quote or a
  title must be word for word, and "huỷ" is how the document wrote it.
- `canonical`: the matching form (`normalize` plus `unify_tones`). The two tone-mark
  placements ("hoà"/"hòa", "thuý"/"thúy") and misplaced marks ("qúa") meet on one form, for
  documents and queries alike: what is embedded, lexically indexed or compared (metadata,
  duplicates) goes through it or through `fold`, which drops the marks altogether.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from knowledge.syllables import is_syllable

# Combining marks, split by role. Tone marks move; quality marks (ă â ê ô ơ ư) stay put.
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_HORN = "\u031b"
_CIRCUMFLEX = "\u0302"
_BREVE = "\u0306"
_QUALITY_MARKS = frozenset((_HORN, _CIRCUMFLEX, _BREVE))
_VOWELS = frozenset("aeiouy")

# Zero-width and formatting characters that Word, PDFs and chat clients leave behind.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
# Between two words of a typed question, a zero-width space (U+200B), word joiner (U+2060)
# or zero-width no-break space (U+FEFF) stands where a space was: chat clients and web pages
# put them at word breaks (Unicode UAX #29 gives ZWSP a word boundary on both sides). Inside
# one syllable ("th\u200bư", from a PDF or a web page) it is dropped as before. Only
# questions are read so (`spaced_breaks`): `normalize` still drops them from documents,
# whose indexed text must not change without a PIPELINE_VERSION bump.
_ZERO_WIDTH_BREAK = re.compile(r"([^\W\d_]+)[\u200b\u2060\ufeff]+(?=([^\W\d_]+))")
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\x0b\x0c]+")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SPACE_RUNS = re.compile(r"[ ]{2,}")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# What a typed message never needs and a terminal, a report or an export would act on: C0/C1
# control characters but tab and line breaks (ANSI escapes start with ESC, U+001B), and the
# bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069: "Trojan
# Source", CVE-2021-42574) that make a text display in another order than it is stored.
_UNSAFE_TYPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Look-alikes that copy-paste and some fonts put in place of Vietnamese and ASCII characters.
# Ð/ð (U+00D0/U+00F0, Icelandic eth) for Đ/đ (U+0110/U+0111): Vietnamese has no eth, and
# documents copied from some PDFs and web pages carry it in every "Đảng"; likewise Vietnamese
# has no Ƣ/ƣ. Hyphen look-alikes
# (U+2010, U+2011, U+2212) and slash look-alikes (U+2044, U+2215) break document numbers;
# fullwidth ASCII (U+FF01-FF5E) comes from East Asian input methods. Source for which
# characters are confusable: Unicode Technical Standard #39, confusables.txt.
_LOOK_ALIKES = str.maketrans(
    {
        "\u00d0": "\u0110", "\u00f0": "\u0111",
        # Ƣ/ƣ (U+01A2/U+01A3, "oi") drawn for Ư/ư by some PDF fonts ("Chƣơng", "ngƣời").
        "\u01a2": "\u01af", "\u01a3": "\u01b0",
        "\u2010": "-", "\u2011": "-", "\u2212": "-", "\u2044": "/", "\u2215": "/",
        **{chr(0xFF01 + i): chr(0x21 + i) for i in range(0x5E)},
    }
)
# Cyrillic and Greek letters drawn like Latin ones (UTS #39 confusables.txt). They are
# replaced only inside a run of non-space characters that also holds an ASCII letter or
# digit ("05-СТ/TW", "ТВ"+"/ĐU"): a word wholly in Cyrillic or Greek is left as it is.
_SCRIPT_LOOK_ALIKES = dict(
    zip(
        "АВЕКМНОРСТХУІЈЅаеорсхуіјѕԁһΑΒΕΖΗΙΚΜΝΟΡΤΥΧον",
        "ABEKMHOPCTXYIJSaeopcxyijsdhABEZHIKMNOPTYXov",
    )
)
_SCRIPT_LOOK_ALIKE_TABLE = str.maketrans(_SCRIPT_LOOK_ALIKES)
_HAS_SCRIPT_LOOK_ALIKE = re.compile("[" + "".join(_SCRIPT_LOOK_ALIKES) + "]")
_MIXED_RUN = re.compile(r"\S*[" + "".join(_SCRIPT_LOOK_ALIKES) + r"]\S*")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")

# A candidate syllable: letters (with marks) only. Anything else is left untouched.
_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"[^\W_]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def normalize(text: str) -> str:
    """The stored and displayed form of a text: the document's own spelling, cleaned.

    NFC; invisible characters removed; odd spaces made plain; line breaks unified; control
    characters dropped; look-alike letters, hyphens and slashes made the ones Vietnamese text
    uses. Tone marks stay where the text put them ("huỷ" stays "huỷ"): see `canonical`.
    """
    if not text:
        return ""
    text = text.translate(_INVISIBLE).translate(_LOOK_ALIKES)
    if _HAS_SCRIPT_LOOK_ALIKE.search(text):
        text = _MIXED_RUN.sub(_latin_look_alikes, text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _CONTROL.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    text = _SPACE_RUNS.sub(" ", text)
    return unicodedata.normalize("NFC", text)


def spaced_breaks(text: str) -> str:
    """A member's question with each zero-width space, word joiner or BOM that stands
    between two words made a plain space ("tổ\u200bxung\u200bkích" -> "tổ xung kích"),
    so `normalize` does not glue them. Between two letters that together spell one
    Vietnamese syllable ("th\u200bư" -> "thư"), at an edge or by a digit, it is left for
    `normalize` to drop. Source: UAX #29 (Unicode Text Segmentation), word boundaries;
    knowledge.syllables for what one syllable is."""
    if not text or not _HAS_ZERO_WIDTH.search(text):
        return text
    # NFC first: a decomposed letter's combining marks are not word characters to a regex.
    return _ZERO_WIDTH_BREAK.sub(_break, unicodedata.normalize("NFC", text))


_HAS_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff]")


def _break(match: re.Match[str]) -> str:
    left, right = match.group(1), match.group(2)
    joined = left + right
    return left if is_syllable(joined) else left + " "


def strip_unsafe(text: str) -> str:
    """A typed message as stored and echoed: the same text minus control characters (tab and
    line breaks stay; CR LF and CR become LF) and bidirectional overrides. Nothing else is
    changed: spacing and spelling are the sender's (`normalize` is for matching and quotes)."""
    return _UNSAFE_TYPED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def unify_tones(text: str) -> str:
    """Tone marks moved to the traditional position ("hoà" -> "hòa", "thuý" -> "thúy",
    "qúa" -> "quá") in every word of an NFC text; other characters untouched.

    Both placements are in everyday use (the older "hòa", the newer "hoà"), often in one
    folder; DESIGN.md asks that they meet for matching, never that a quote be respelled.
    """
    return _WORD.sub(lambda m: _place_tone(m.group(0)), text)


def canonical(text: str) -> str:
    """The matching form: `normalize` plus `unify_tones`. What is embedded, and what metadata
    and duplicate checks compare without folding, for documents and queries alike."""
    return unify_tones(normalize(text))


def _latin_look_alikes(match: re.Match[str]) -> str:
    run = match.group(0)
    if not _ASCII_ALNUM.search(run):
        return run
    return run.translate(_SCRIPT_LOOK_ALIKE_TABLE)


@lru_cache(maxsize=65536)
def _place_tone(word: str) -> str:
    """Put a syllable's tone mark on the vowel the traditional rules choose."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) != 1:
        # No tone to move, or not a single Vietnamese syllable: leave it alone.
        return word
    # Base letters, each with its quality marks (but without the tone).
    letters: list[list[str]] = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            if ch in _TONE_MARKS:
                continue
            if not letters:
                return word
            letters[-1].append(ch)
        else:
            letters.append([ch])
    bases = [unicodedata.normalize("NFD", group[0])[0].lower() for group in letters]
    target = _tone_position(bases, letters)
    if target is None:
        return word
    letters[target].append(tones[0])
    return unicodedata.normalize("NFC", "".join("".join(group) for group in letters))


def _tone_position(bases: list[str], letters: list[list[str]]) -> int | None:
    """Index of the letter that carries the tone, or None if this is not a syllable."""
    start = 0
    # "qu" and "gi" are onsets: their u/i are not part of the vowel nucleus.
    if len(bases) >= 2 and bases[0] == "q" and bases[1] == "u":
        start = 2
    elif len(bases) >= 3 and bases[0] == "g" and bases[1] == "i" and bases[2] in _VOWELS:
        start = 2
    while start < len(bases) and bases[start] not in _VOWELS:
        start += 1
    if start == len(bases):
        # "gì", "quỹ" style: the onset's own vowel takes the tone.
        for i in range(len(bases) - 1, -1, -1):
            if bases[i] in _VOWELS:
                return i
        return None
    end = start
    while end < len(bases) and bases[end] in _VOWELS:
        end += 1
    if any(b in _VOWELS for b in bases[end:]):
        return None  # vowels after consonants: not one syllable (e.g. a foreign word)
    nucleus = range(start, end)
    if len(nucleus) > 3:
        return None
    marked = [i for i in nucleus if len(letters[i]) > 1]
    if marked:
        # ươ / ưở...: the tone sits on the last marked vowel (ơ); otherwise on the marked one.
        return marked[-1]
    has_final_consonant = end < len(bases)
    if len(nucleus) == 1:
        return start
    if has_final_consonant:
        return end - 1
    if len(nucleus) == 3:
        return start + 1
    return start


def fold(text: str) -> str:
    """Lowercase and strip every diacritic (đ→d): what a member types without accents."""
    # A regex over the decomposed text runs in C: twice as fast as testing each character,
    # and folding is most of the work of (re)building the lexical index.
    return _COMBINING.sub("", unicodedata.normalize("NFD", text.lower())).replace("đ", "d")


def has_diacritics(text: str) -> bool:
    """True if the text carries any Vietnamese mark (so it was typed with accents)."""
    return fold(text) != text.lower()


def syllables(text: str) -> list[str]:
    """Lowercased syllables (letter/digit runs) of normalised text."""
    return _TOKEN.findall(text.lower())


def lexical_terms(text: str, *, folded: bool) -> list[str]:
    """Terms for the lexical index: syllables plus adjacent-syllable bigrams.

    Vietnamese words are often two or three syllables ("chuyển đổi số"), so bigrams carry
    much of the meaning that single syllables lose.
    """
    sylls = syllables(fold(text) if folded else unify_tones(unicodedata.normalize("NFC", text)))
    return sylls + list(map("_".join, zip(sylls, sylls[1:])))


def shorten(text: str, width: int = 120, *, keep_lines: bool = False) -> str:
    """`text` in at most `width` characters, cut after a whole word with "…" where it was cut
    (a word longer than half the width is cut inside: the text must not come out empty).
    Every user-visible text that must fit a limit (a button label, a list line, a caption, a
    platform's message limit) is cut here, never with a bare slice, which can stop mid-word
    or mid-syllable.

    By default the text becomes one line (runs of white space → one space); `keep_lines`
    leaves the text as it is (line breaks, indentation: a message, a caption) and cuts at a
    space or a line break. `width` counts characters, not bytes: a byte limit (Telegram's
    callback data) is the data's own business."""
    if not keep_lines:
        text = " ".join(text.split())
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    head = text[: width - 1]
    space = max(head.rfind(" "), head.rfind("\n"))
    if not text[width - 1].isspace() and space >= width // 2:
        head = head[:space]
    return head.rstrip(" \t\n,;:-–") + "…"
