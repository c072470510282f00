"""Choose ANSWER_MIN_COVERAGE: how often the assistant answers in-domain questions (and
answers them right) against how often it wrongly answers out-of-domain ones.

    .venv/bin/python bench/answer_threshold.py --store data/store/eval/corpus \
        --queries ../shared/eval/alqac2022/queries.jsonl --samples-store data/store

The first store must hold the dev corpus (`tuyengiao eval` builds it); the out-of-domain
questions (bench/data/out_of_domain.txt) are asked of both stores, with and without
diacritics. Each row is measured with the lexicon's query expansion (the default) and, with
`--compare-lexicon`, without it too, so its effect on wrong answers shows in one run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from knowledge.evaluation import EvalQuery, load_queries
from knowledge.search import Searcher
from knowledge.store import StoreReader
from knowledge.text import fold
from tuyengiao.commands import fusion_weights, make_embedder, make_expander
from tuyengiao.settings import Settings

THRESHOLDS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7]


def top_coverages(searcher: Searcher, questions: list[str]) -> list[tuple[float, str | None]]:
    out = []
    for q in questions:
        hits = searcher.search(q, k=1)
        out.append((hits[0].coverage, hits[0].doc.doc_id) if hits else (0.0, None))
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--store", type=Path, required=True)
    p.add_argument("--queries", type=Path, required=True)
    p.add_argument("--samples-store", type=Path)
    p.add_argument("--ood", type=Path, default=Path(__file__).parent / "data" / "out_of_domain.txt")
    p.add_argument("--compare-lexicon", action="store_true", help="also run without expansion")
    args = p.parse_args()
    settings = Settings()
    embedder = make_embedder(settings)
    weights = fusion_weights(settings)
    dev = load_queries(args.queries)
    ood = [
        line.strip() for line in args.ood.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    stores = [("dev corpus", args.store)] + (
        [("samples", args.samples_store)] if args.samples_store else []
    )
    expander = make_expander(settings)
    rows = []
    for lexicon in (("with lexicon", "without lexicon") if args.compare_lexicon else ("with lexicon",)):
        searchers = {
            name: Searcher(StoreReader(path), embedder, weights,
                           expander=expander if lexicon == "with lexicon" else None)
            for name, path in stores
        }
        rows.append(f"--- {lexicon}")
        rows += threshold_rows(searchers, dev, ood)
    print("\n".join(rows))


def threshold_rows(
    searchers: dict[str, Searcher], dev: list[EvalQuery], ood: list[str]
) -> list[str]:
    dev_searcher = searchers["dev corpus"]
    rows = []
    for variant, transform in (("as given", lambda s: s), ("no diacritics", fold)):
        dev_cov = top_coverages(dev_searcher, [transform(q.question) for q in dev])
        correct = [doc in q.relevant for (_, doc), q in zip(dev_cov, dev)]
        ood_cov = {
            name: top_coverages(s, [transform(q) for q in ood]) for name, s in searchers.items()
        }
        for t in THRESHOLDS:
            answered = [c >= t for c, _ in dev_cov]
            right = sum(a and ok for a, ok in zip(answered, correct))
            row = (
                f"{variant:13s} t={t:.2f}  dev answered {sum(answered) / len(dev):.3f}"
                f"  answered & right {right / len(dev):.3f}"
                f"  precision {right / max(sum(answered), 1):.3f}"
            )
            for name, cov in ood_cov.items():
                wrong = sum(c >= t for c, _ in cov)
                row += f"  | OOD on {name}: answered {wrong}/{len(cov)}"
            rows.append(row)
    return rows


if __name__ == "__main__":
    main()
