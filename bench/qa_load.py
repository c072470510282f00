"""Q&A load over a loopback platform API (Telegram or Zalo): simulated users ask, the real
bot answers.

The whole bot path is real: a store built from `knowledge/samples/documents` with the real
offline model (hybrid search with the default `Settings` weights, so every question is
embedded), a SQLite database, the core (`Dispatcher` with the application's features) + `KnowledgeBase`, and, with `--channel telegram`
(the default), `TelegramChannel` (python-telegram-bot, long polling) pointed at
`tests.fakes.telegram_api.TelegramApiServer`, or with `--channel zalo`, `ZaloChannel` (our
aiohttp client, long polling, one update per getUpdates) pointed at
`tests.fakes.zalo_api.ZaloApiServer`.

The fake platform and the users run in a child process (`_qa_users.py`; the platform is
remote: its HTTP work must not queue behind the bot's event loop); the bot runs alone in
this process (its probe and channel: `_qa_bot.py`; the questions and the report's analysis:
`_qa_analysis.py`). Both take
`time.monotonic()` (CLOCK_MONOTONIC, one clock for the machine), so a question's path can be
cut into delivery (push -> core starts), core (`Dispatcher.handle`) and send (core ends -> the
first part reaches the server).

Scenarios (each with its own chats, default 200 users x 5 questions):
  think   the issue's scenario as people live it: all 200 users in a session at once, each
          asking 5 questions, reading each answer and typing the next (exponential think
          time, mean --think 15 s; starts spread over one think time). Offered load is about
          users / think questions per second.
  burst   every question pushed at once (1000 updates queued in one go): throughput; latency
          there is mostly queueing, p95 ~ the run's length.
  closed  each user asks their next question the moment the previous answer's last part
          arrives (200 questions always in flight, no think time).
  paced   open-loop Poisson arrivals at a fixed rate, users taking turns (each user asks
          every users/rate seconds); default rates: 25% and 50% of the burst throughput, one
          question per user (--paced-per-user) to keep the run within ~5 minutes. The only
          sleeps in this script are these arrival and think times.

A reply is matched to its question: on Telegram exactly, as an answer's last part carries the
👍/👎 buttons, whose callback data holds the question-log id, and the log row holds the chat
and the text; on Zalo an answer's last part carries the numbered hint but no id, and a chat's
n-th answer is paired with its n-th logged question (see `analyse`). Parts without buttons
or hint before it (long answers) are that answer's first parts; the first part's arrival is
the reply time.

    .venv/bin/python bench/qa_load.py [--channel telegram|zalo] [--users 200] [--per-user 5]
        [--modes think burst closed paced] [--think 15]
        [--rates 4 8] [--paced-per-user 1] [--concurrent-updates N] [--threads N]
        [--torch-threads N] [--query-batch N] [--query-cache N] [--query-backend onnx|torch] [--poll-limit 100]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing as mp
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _qa_analysis import analyse, make_questions, refuse_overviews  # noqa: E402
from _qa_bot import MENU, ErrorCounter, Probe, loadavg, start_channel  # noqa: E402
from _qa_users import child_main, now  # noqa: E402

SAMPLES = ROOT / "knowledge" / "samples" / "documents"
CHAT_BASE = 700_000_000  # scenario s uses chats CHAT_BASE + s * 100_000 + user

async def main_async(args: argparse.Namespace) -> None:
    import faiss

    from bot.core.dispatcher import CoreSettings, Dispatcher
    from bot.core.outbound import Outbound
    from tuyengiao.features import FeatureContext, build_features
    from bot.core.knowledge_base import KnowledgeBase
    from bot.storage.database import Database
    from indexer.build import build_store
    from knowledge.embedder import EmbedderConfig, SentenceTransformerEmbedder
    from knowledge.onnx_export import ensure_exported
    from knowledge.query_encoder import load_query_encoder
    from knowledge.query_batching import BatchStats, QueryBatcher
    from knowledge.search import Searcher
    from knowledge.store import StoreReader
    from tuyengiao.commands import answer_policy, fusion_weights
    from tuyengiao.settings import Settings

    lines: list[str] = []
    loop = asyncio.get_running_loop()
    if args.threads:
        loop.set_default_executor(ThreadPoolExecutor(args.threads))
    threads = args.threads or min(32, (os.cpu_count() or 1) + 4)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]  # the shipped defaults
    faiss.omp_set_num_threads(settings.faiss_threads)  # as the CLI does

    ctx = mp.get_context("spawn")
    conn, child_conn = ctx.Pipe()
    child = ctx.Process(target=child_main, args=(child_conn, args.channel, args.poll_limit),
                        daemon=True)
    child.start()
    inbox = ThreadPoolExecutor(1, thread_name_prefix="inbox")

    async def ask_child(*message: Any) -> Any:
        conn.send(message)
        return (await loop.run_in_executor(inbox, conn.recv))[1:]

    _, base_url, token = await loop.run_in_executor(inbox, conn.recv)

    with tempfile.TemporaryDirectory(prefix="qa_load_") as tmp:
        started = now()
        embedder = SentenceTransformerEmbedder(EmbedderConfig())
        loaded = now() - started
        report = build_store([SAMPLES], Path(tmp) / "store", embedder)
        built = now() - started - loaded
        import torch

        if args.torch_threads:
            torch.set_num_threads(args.torch_threads)
        print(f"model loaded in {loaded:.1f} s; store built in {built:.1f} s: {report.summary()}")
        print(f"torch threads {torch.get_num_threads()}, FAISS threads {settings.faiss_threads},"
              f" weights lexical {settings.search_weight_lexical} dense"
              f" {settings.search_weight_dense}, asyncio default executor {threads} threads")

        db = Database.open(f"sqlite:///{Path(tmp) / 'bot.db'}",
                           sqlite_synchronous=settings.sqlite_synchronous)
        db.create_all()
        # As `tuyengiao run` serves: concurrent questions share query-embedding calls.
        query_side = embedder
        if args.query_backend == "onnx":
            # As `tuyengiao index` then `run` do: exported once, loaded without PyTorch.
            ensure_exported(embedder, Path(tmp) / "encoders")
            query_side = load_query_encoder(EmbedderConfig(), Path(tmp) / "encoders",
                                            threads=args.torch_threads or 1)
        batcher = QueryBatcher(query_side, max_batch=args.query_batch, cache_size=args.query_cache)
        print(f"query embeddings on {type(query_side).__name__}; query batches of at most"
              f" {args.query_batch}, query cache {args.query_cache};"
              f" SQLite synchronous={settings.sqlite_synchronous}")
        searcher = Searcher(StoreReader(Path(tmp) / "store"), batcher, fusion_weights(settings))
        from indexer.opening import opening_section

        knowledge = KnowledgeBase(searcher, answer_policy(settings), opening_section)
        await refuse_overviews(knowledge)
        # The application's features, as `tuyengiao run` builds them (no workers: no sends).
        outbound = Outbound()
        assistant = Dispatcher(db, build_features(FeatureContext(
            db, knowledge, outbound, settings=settings, workers=False)), CoreSettings(), outbound)
        MENU[:] = assistant.menu()
        probe = Probe()
        probe.wrap_async(db, "run", "db_wait")
        probe.wrap_sync(db, "call", "db_work")  # db.run calls self.call in its thread
        probe.wrap_async(knowledge, "ask", "ask_wait")
        probe.wrap_sync(searcher, "search", "search_work")
        probe.wrap_sync(embedder, "embed", "embed_work")
        errors = ErrorCounter()
        logging.getLogger().addHandler(errors)

        channels = AsyncExitStack()
        print(await start_channel(args, settings, token, base_url,
                                  probe.wrap_handler(assistant.handle), channels))
        print(f"load average before: {loadavg()}")
        throughputs: dict[str, float] = {}
        summary: list[str] = []
        try:
            scenarios: list[tuple[str, str, int, int, float]] = [("warm-up", "burst", 10, 2, 0.0)]
            for mode in args.modes:
                if mode == "paced":
                    scenarios += [("paced", "paced", args.users, args.paced_per_user, r)
                                  for r in args.rates or [0.0, 0.0]]
                else:
                    scenarios.append((mode, mode, args.users, args.per_user, 0.0))
            auto_fractions = [0.25, 0.5]
            for index, (name, mode, users, per_user, rate) in enumerate(scenarios):
                if mode == "paced" and rate == 0.0:
                    base = throughputs.get("burst") or throughputs.get("closed")
                    if not base:
                        raise SystemExit("paced without --rates needs a burst or closed run first")
                    rate = round(base * auto_fractions.pop(0), 1)
                if mode == "burst":
                    describe = f"{users} users x {per_user} questions, all pushed at once"
                elif mode == "think":
                    describe = (f"{users} users x {per_user} questions, all in session at once:"
                                f" each reads the answer and thinks ~{args.think:.0f} s"
                                f" (exponential) before the next")
                elif mode == "closed":
                    describe = (f"{users} users x {per_user} questions, each user asks the next"
                                f" on the previous answer ({users} in flight, no think time)")
                else:
                    describe = (f"{users} users x {per_user} questions, Poisson arrivals at"
                                f" {rate} questions/s (each user every ~{users / rate:.0f} s)")
                spec = {"channel": args.channel, "mode": mode, "per_user": per_user, "expected": users * per_user,
                        "rate": rate, "seed": index, "think": args.think,
                        "describe": describe,
                        "questions": make_questions(users, per_user,
                                                    CHAT_BASE + index * 100_000, index)}
                probe.reset()
                batcher.stats = BatchStats()
                errors.counts.clear()
                errors.first.clear()
                before = loadavg()
                cpu_started = time.process_time()
                (played,) = await ask_child("play", spec)
                await asyncio.wait_for(probe.idle.wait(), 30)  # late duplicates would show
                (records,) = await ask_child("records")
                bot_cpu = time.process_time() - cpu_started
                if name == "warm-up":
                    continue
                result = analyse(name, spec, played, records, probe, db, bot_cpu, lines)
                stats = batcher.stats
                lines.append(f"query embedding: {stats.calls} model calls for {stats.texts} texts"
                             f" (mean batch {stats.texts / max(1, stats.calls):.1f}, largest"
                             f" {max(stats.sizes, default=0)}), {stats.cache_hits} cache hits")
                throughputs[name] = result["throughput"]
                verdict = "met" if result["p95"] <= 0.3 else "NOT met"
                summary.append(
                    f"  {name:7s} {result['throughput']:5.1f} q/s  p50 {result['p50'] * 1000:6.0f}"
                    f"  p95 {result['p95'] * 1000:6.0f} ms ({verdict})  lost {result['lost']}"
                    f"  duplicated {result['duplicated']}  -- {result['describe']}")
                lines.append(f"load average before {before}; after {loadavg()}")
                if errors.counts:
                    lines.append(f"log warnings/errors: {dict(errors.counts)}: {errors.first}")
                print("\n".join(lines))
                lines.clear()
        finally:
            await channels.aclose()
            conn.send(("stop",))
            child.join(10)
            if child.is_alive():
                child.terminate()
            inbox.shutdown()
            db.close()
    print("summary (target: p95 update -> reply <= 300 ms, nothing lost or duplicated):")
    print("\n".join(summary))
    print(f"load average after: {loadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--per-user", type=int, default=5)
    parser.add_argument("--modes", nargs="+", default=["think", "burst", "closed", "paced"],
                        choices=["think", "burst", "closed", "paced"])
    parser.add_argument("--think", type=float, default=15.0,
                        help="think mode: mean seconds a user takes to read an answer and type"
                             " the next question")
    parser.add_argument("--rates", type=float, nargs="+",
                        help="paced arrival rates, questions/s (default: 25%% and 50%% of the"
                             " burst throughput)")
    parser.add_argument("--paced-per-user", type=int, default=1,
                        help="questions per user in each paced run (keeps the run bounded)")
    parser.add_argument("--channel", choices=["telegram", "zalo"], default="telegram",
                        help="which platform's loopback server and adapter carry the questions")
    from tuyengiao.settings import Settings

    defaults = Settings(_env_file=None)  # type: ignore[call-arg]  # the shipped defaults
    parser.add_argument("--concurrent-updates", type=int,
                        default=defaults.telegram_concurrent_updates,
                        help="updates handled at once (TelegramChannel's and ZaloChannel's"
                             " concurrent_updates); default: the serving default")
    parser.add_argument("--threads", type=int, default=defaults.worker_threads,
                        help="asyncio default executor size (0: Python's min(32, CPUs + 4);"
                             " default: WORKER_THREADS)")
    parser.add_argument("--torch-threads", type=int, default=defaults.serve_torch_threads,
                        help="torch.set_num_threads for query encoding (0: torch's default;"
                             " default: SERVE_TORCH_THREADS)")
    parser.add_argument("--query-batch", type=int, default=defaults.query_batch_max,
                        help="most queries per embedding call (1: no batching;"
                             " default: QUERY_BATCH_MAX)")
    parser.add_argument("--query-backend", choices=["onnx", "torch"],
                        default=defaults.embedding_query_backend,
                        help="where query embeddings run (default: EMBEDDING_QUERY_BACKEND)")
    parser.add_argument("--query-cache", type=int, default=defaults.query_cache_size,
                        help="query embeddings cached (0: none; default: QUERY_CACHE_SIZE)")
    parser.add_argument("--poll-limit", type=int, default=100,
                        help="most updates the fake Telegram returns per getUpdates (Bot API"
                             " 100; Zalo always returns one)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
