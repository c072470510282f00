"""Corpus-adapted embeddings: fine-tune the sentence model on the store's own text.

The offline all-MiniLM-L6-v2 was trained on English; on Vietnamese its dense ranking is weak
(dev MRR@10 0.504 alone, docs/developers.md). Every passage of an indexed store already comes
with a short text that says what the passage is about — a law article's title line ("Quyền
đơn phương chấm dứt hợp đồng lao động của người lao động"), a guide's section heading — so the
store is its own training set: each (heading, passage) pair is a query and its answer, and the
other passages of a batch are the wrong answers (contrastive learning with in-batch negatives,
the MultipleNegativesRankingLoss of sentence-transformers; title/heading-as-query pairs are the
unsupervised signal of Lee et al. 2019 "Latent Retrieval for Weakly Supervised Open Domain
Question Answering" and of GPL, Wang et al. 2022). No question of any evaluation set is used.

A share of the headings is given without diacritics, because members type so; the passages
keep theirs (they are indexed as written).

The loop is the few lines `SentenceTransformer.fit` used to run (AdamW, the library's loss):
the library's trainer now needs the `datasets` package and its Arrow stack for this alone.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from knowledge.passages import Chunk
from knowledge.text import fold

logger = logging.getLogger(__name__)

MANIFEST = "adaptation.json"  # written next to the model's own files
CLAIM = ".adapting"  # present while a run owns the folder (O_EXCL: one run per folder)

# A heading line: a few words that name the passage, not a sentence of it.
MIN_HEADING_WORDS = 2
MAX_HEADING_WORDS = 30
MIN_BODY_WORDS = 8  # fewer words than this say too little to learn from
MIN_PATH_HEADING_WORDS = 3  # "1.", "Điều 5" alone name nothing


@dataclass(frozen=True)
class AdaptationOptions:
    """How to train. Defaults measured on the ALQAC dev questions (docs/developers.md)."""

    epochs: int = 1
    batch_size: int = 32  # in-batch negatives: each heading has batch_size - 1 wrong passages
    learning_rate: float = 3e-5
    unmarked_share: float = 0.3  # headings given without diacritics, as members type them
    max_tokens: int = 128  # training window; headings are short, passages are cut here
    seed: int = 13


@dataclass(frozen=True)
class AdaptationReport:
    base_model: str
    pairs: int
    steps: int
    first_loss: float  # mean loss of the first tenth of the steps
    last_loss: float  # mean loss of the last tenth
    seconds: float
    options: AdaptationOptions


class AdaptationError(Exception):
    """Adaptation cannot run (too few pairs, output folder in use); the message says why."""


def claim_folder(out_dir: Path) -> None:
    """Make `out_dir` this run's own: created if missing, refused when it is a file, holds
    anything, or another run claimed it first (the claim is a file created with O_EXCL, so
    two runs started together cannot both write one model). Raises AdaptationError."""
    if out_dir.exists() and not out_dir.is_dir():
        raise AdaptationError(f"{out_dir} is a file: choose a new folder for the adapted model")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir / CLAIM, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        raise AdaptationError(f"{out_dir} is being written by another adapt run") from None
    except OSError as exc:
        raise AdaptationError(f"{out_dir} cannot be created: {exc.strerror}") from None
    os.close(fd)
    if any(p.name != CLAIM for p in out_dir.iterdir()):
        (out_dir / CLAIM).unlink()
        raise AdaptationError(f"{out_dir} is not empty: choose a new folder for the adapted model")


def release_folder(out_dir: Path) -> None:
    """Remove a claimed folder whose run did not finish (it was empty when claimed)."""
    shutil.rmtree(out_dir, ignore_errors=True)


def _type_line(line: str) -> bool:
    """A document's type line ("CHỈ THỊ", "HƯỚNG DẪN"): capitals, at most three words, no
    section number. It names the kind of document, not what the passage says."""
    return line.isupper() and len(line.split()) <= 3 and not line[0].isdigit() and "." not in line


def training_pairs(chunks: Iterable[Chunk]) -> list[tuple[str, str]]:
    """(heading, passage) pairs from a store's chunks, in store order.

    A passage whose first line is a title (MIN_HEADING_WORDS..MAX_HEADING_WORDS words, not a
    note in parentheses nor a document-type line, followed by at least MIN_BODY_WORDS words)
    gives (that line, the rest). Otherwise its innermost heading, when it has at least
    MIN_PATH_HEADING_WORDS words, gives (heading, whole text). A heading that names more than
    one passage (a repeated note, a sentence every article repeats) names none of them and
    gives nothing: in a batch, the other passage would be taught as a wrong answer.
    """
    found: list[tuple[str, str]] = []
    for chunk in chunks:
        first, _, rest = chunk.text.strip().partition("\n")
        first, rest = first.strip(), rest.strip()
        if (MIN_HEADING_WORDS <= len(first.split()) <= MAX_HEADING_WORDS
                and not first.startswith("(") and not _type_line(first)
                and len(rest.split()) >= MIN_BODY_WORDS):
            found.append((first, rest))
        elif (chunk.headings and len(chunk.headings[-1].split()) >= MIN_PATH_HEADING_WORDS
              and len(chunk.text.split()) >= MIN_BODY_WORDS):
            found.append((chunk.headings[-1].strip(), chunk.text.strip()))
    uses: dict[str, int] = {}
    for heading, _ in found:
        key = fold(heading).lower()
        uses[key] = uses.get(key, 0) + 1
    return [pair for pair in found if uses[fold(pair[0]).lower()] == 1]


def adapt(
    base: Any,
    pairs: list[tuple[str, str]],
    out_dir: Path,
    *,
    base_name: str,
    query_prefix: str = "",
    passage_prefix: str = "",
    options: AdaptationOptions = AdaptationOptions(),
    progress: Callable[[int, int, float], None] | None = None,
    claimed: bool = False,
    record: dict[str, str] | None = None,
) -> AdaptationReport:
    """Fine-tune `base` (a loaded SentenceTransformer, changed in place) on `pairs` and save
    it to `out_dir` with an adaptation.json manifest (plus `record`, e.g. the store it was
    trained on) and a README.md saying what the model is.

    `out_dir` must not exist or be empty (a store records its model by path, so a model that
    changed in place would make its stored vectors silently stale); it is claimed here
    (`claim_folder`) unless the caller already did (`claimed`), and removed again if the run
    does not finish. `progress(step, steps, loss)` is called after each step. Raises
    AdaptationError when there are fewer pairs than one batch or the folder is in use. Takes
    6–10 s a step of 32 pairs on 2 busy CPU cores (MiniLM-L6, 128 tokens).
    """
    check_enough(len(pairs), options)
    if not claimed:
        claim_folder(out_dir)
    try:
        report = _train(base, pairs, options, progress, base_name, query_prefix, passage_prefix)
        base.save(str(out_dir))
        manifest = asdict(report) | {"query_prefix": query_prefix,
                                     "passage_prefix": passage_prefix} | (record or {})
        (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                        encoding="utf-8")
        (out_dir / "README.md").write_text(_readme(report, record or {}), encoding="utf-8")
        (out_dir / CLAIM).unlink()
    except BaseException:  # an error or Ctrl-C: no half-written model is left behind
        release_folder(out_dir)
        raise
    logger.info("adapted %s on %d pairs in %d steps (loss %.3f -> %.3f), saved to %s",
                base_name, report.pairs, report.steps, report.first_loss, report.last_loss,
                out_dir)
    return report


def check_enough(pairs: int, options: AdaptationOptions = AdaptationOptions()) -> None:
    """Raises AdaptationError when there are fewer pairs than one batch."""
    if pairs < options.batch_size:
        raise AdaptationError(
            f"{pairs} heading/passage pairs: at least {options.batch_size} are needed "
            "(index more documents first)"
        )


def _readme(report: AdaptationReport, record: dict[str, str]) -> str:
    source = ", ".join(f"{k} {v}" for k, v in record.items())
    return (
        f"# Adapted from {report.base_model}\n\n"
        "Fine-tuned by `tuyengiao adapt` (knowledge/adaptation.py) on heading/passage pairs "
        f"of one store's own text{' (' + source + ')' if source else ''}: {report.pairs} "
        f"pairs, {report.steps} steps. It serves that store's language; the base model's "
        "card does not describe it. Details: adaptation.json.\n"
    )


def _train(base: Any, pairs: list[tuple[str, str]], options: AdaptationOptions,
           progress: Callable[[int, int, float], None] | None,
           base_name: str, query_prefix: str, passage_prefix: str) -> AdaptationReport:
    import torch
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    rng = random.Random(options.seed)
    torch.manual_seed(options.seed)
    window = base.max_seq_length
    base.max_seq_length = options.max_tokens
    loss_fn = MultipleNegativesRankingLoss(base)
    optimiser = torch.optim.AdamW(base.parameters(), lr=options.learning_rate)
    order = list(pairs)
    per_epoch = len(order) // options.batch_size  # a short last batch has too few negatives
    steps = per_epoch * options.epochs
    losses_seen: list[float] = []
    started = time.monotonic()
    base.train()
    try:
        for _ in range(options.epochs):
            rng.shuffle(order)
            for start in range(0, per_epoch * options.batch_size, options.batch_size):
                batch = order[start:start + options.batch_size]
                queries = [
                    query_prefix + (fold(h) if rng.random() < options.unmarked_share else h)
                    for h, _ in batch
                ]
                passages = [passage_prefix + p for _, p in batch]
                features = [base.preprocess(queries), base.preprocess(passages)]
                loss = loss_fn(features, torch.arange(len(batch)))
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                losses_seen.append(float(loss.item()))
                if progress is not None:
                    progress(len(losses_seen), steps, losses_seen[-1])
    finally:
        base.eval()
        base.max_seq_length = window
    tenth = max(1, len(losses_seen) // 10)
    return AdaptationReport(
        base_model=base_name,
        pairs=len(pairs),
        steps=len(losses_seen),
        first_loss=sum(losses_seen[:tenth]) / tenth,
        last_loss=sum(losses_seen[-tenth:]) / tenth,
        seconds=round(time.monotonic() - started, 1),
        options=options,
    )
