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
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from knowledge.passages import Chunk
from knowledge.text import fold

logger = logging.getLogger(__name__)

MANIFEST = "adaptation.json"  # written next to the model's own files

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
) -> AdaptationReport:
    """Fine-tune `base` (a loaded SentenceTransformer, changed in place) on `pairs` and save
    it to `out_dir` with an adaptation.json manifest.

    `out_dir` must not exist or be empty: a store records its model by path, so a model that
    changed in place would make its stored vectors silently stale. `progress(step, steps,
    loss)` is called after each step. Raises AdaptationError when there are fewer pairs than
    one batch or the folder is in use. Takes about 7 s a step of 32 pairs on 2 busy CPU cores
    (MiniLM-L6, 128 tokens).
    """
    import torch
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    if out_dir.exists() and any(out_dir.iterdir()):
        raise AdaptationError(f"{out_dir} is not empty: choose a new folder for the adapted model")
    if len(pairs) < options.batch_size:
        raise AdaptationError(
            f"{len(pairs)} heading/passage pairs: at least {options.batch_size} are needed "
            "(index more documents first)"
        )
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
    report = AdaptationReport(
        base_model=base_name,
        pairs=len(pairs),
        steps=len(losses_seen),
        first_loss=sum(losses_seen[:tenth]) / tenth,
        last_loss=sum(losses_seen[-tenth:]) / tenth,
        seconds=round(time.monotonic() - started, 1),
        options=options,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    base.save(str(out_dir))
    manifest = asdict(report) | {"query_prefix": query_prefix, "passage_prefix": passage_prefix}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")
    logger.info("adapted %s on %d pairs in %d steps (loss %.3f -> %.3f), saved to %s",
                base_name, report.pairs, report.steps, report.first_loss, report.last_loss,
                out_dir)
    return report
