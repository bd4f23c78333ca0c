"""Speed of the network library's graph steps on 2,000,000 synthetic transactions.

Run by hand from the repository root (not part of the test run):

    python benchmarks/network_speed.py [--transactions 2000000] [--victims 20000]
        [--networkx-transactions 200000] [--out PATH]

The case comes from helper er's generator (``anninh.network.generator.generate_case``): victims
paying collectors, mule layers, cash-out points and ordinary traffic around them, with ground
truth. Each step is timed on its own (wall clock, one process); "graph steps" are everything
after the transactions are in memory: the account graph, components, PageRank, roles, tracing
(proportional and FIFO), totals, the account score with its rings, and the fan-in/fan-out and
scatter-gather typologies. The ratio against networkx is taken on a smaller case (networkx
would take minutes at full size) for the steps both libraries have: building the graph, weakly
connected components and PageRank.

Writes ``benchmarks/results/network-speed.md`` and prints it.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import networkit as nk  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from anninh.network.generator import generate_case  # noqa: E402
from anninh.network.graph import TransactionGraph  # noqa: E402
from anninh.network.roles import roles  # noqa: E402
from anninh.network.score import score_accounts  # noqa: E402
from anninh.network.totals import totals  # noqa: E402
from anninh.network.trace import trace  # noqa: E402
from anninh.network.typologies import fan_in, fan_out, scatter_gather  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "network-speed.md"
MIN_AMOUNT = 100_000  # đồng: proportional tracing does not split smaller pieces further


def timed(rows: list, name: str, step: Callable[[], Any], note: Callable[[Any], str] = lambda _: "") -> Any:
    started = time.perf_counter()
    cpu = time.process_time()
    result = step()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    rows.append((name, seconds, cpu, note(result)))
    print(f"{name}: {seconds:.2f} s ({cpu:.2f} s CPU) {note(result)}", file=sys.stderr, flush=True)
    return result


def prepare(case) -> tuple[pd.DataFrame, dict, np.ndarray]:
    """The complaints' payments matched to the statements (destination, amount, time)."""
    tx = case.transactions.reset_index(drop=True)
    matched = case.payments.merge(
        tx[["source", "target", "amount", "time"]].reset_index().rename(columns={"index": "position"}),
        left_on=["account", "amount", "time"],
        right_on=["target", "amount", "time"],
    )
    victims = dict(zip(matched["source"], matched["record_id"].map(case.truth.person_of_record), strict=True))
    return tx, victims, np.unique(matched["position"].to_numpy())


def networkx_ratio(transactions: int, seed: int) -> tuple[list[tuple[str, float, float]], int, int, int]:
    case = generate_case(victims=max(100, transactions // 100), seed=seed, transactions=transactions)
    tx = case.transactions
    graph = TransactionGraph.from_arrays(
        tx["source"].to_numpy(), tx["target"].to_numpy(), tx["amount"].to_numpy(), tx["time"]
    )
    edges = graph.edges()
    out = []

    started = time.perf_counter()
    nk_graph = graph.to_networkit()
    nk_build = time.perf_counter() - started
    started = time.perf_counter()
    nx_graph = nx.DiGraph()
    nx_graph.add_nodes_from(range(graph.n_nodes))
    nx_graph.add_edges_from(zip(edges["source"].tolist(), edges["target"].tolist(), strict=True))
    nx_build = time.perf_counter() - started
    out.append(("build the account graph (aggregated pairs)", nk_build, nx_build))

    started = time.perf_counter()
    undirected = nk.graphtools.toUndirected(nk_graph)
    cc = nk.components.ConnectedComponents(undirected)
    cc.run()
    nk_count = cc.numberOfComponents()
    nk_wcc = time.perf_counter() - started
    started = time.perf_counter()
    nx_count = nx.number_weakly_connected_components(nx_graph)
    nx_wcc = time.perf_counter() - started
    assert nk_count == nx_count, (nk_count, nx_count)
    out.append(("weakly connected components", nk_wcc, nx_wcc))

    started = time.perf_counter()
    pr = nk.centrality.PageRank(nk_graph, damp=0.85, tol=1e-9)
    pr.run()
    nk_pr = time.perf_counter() - started
    started = time.perf_counter()
    nx.pagerank(nx_graph, alpha=0.85, tol=1e-9)
    nx_pr = time.perf_counter() - started
    out.append(("PageRank", nk_pr, nx_pr))
    return out, graph.n_nodes, graph.n_transactions, len(edges)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", type=int, default=2_000_000)
    parser.add_argument("--victims", type=int, default=20_000)
    parser.add_argument("--networkx-transactions", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    # One thread: on a machine shared by many, OpenMP's spinning threads cost more than they give.
    nk.setNumberOfThreads(1)
    cpu_started = time.process_time()
    rows: list = []
    case = timed(
        rows,
        "generate the case (er's generator; not a graph step)",
        lambda: generate_case(victims=args.victims, seed=args.seed, transactions=args.transactions),
        lambda c: f"{len(c.transactions):,} transactions",
    )
    tx, victims, payments = timed(
        rows,
        "match complaints' payments to statements (not a graph step)",
        lambda: prepare(case),
        lambda r: f"{len(r[2]):,} payments",
    )
    truth = case.truth
    cash = truth.account_role[truth.account_role == "cash_out"].index.tolist()
    setup = len(rows)

    graph = timed(
        rows,
        "account graph (ids → ints)",
        lambda: TransactionGraph.from_arrays(
            tx["source"].to_numpy(),
            tx["target"].to_numpy(),
            tx["amount"].to_numpy(),
            tx["time"],
            tx_ids=tx["id"].to_numpy(),
        ),
        lambda g: f"{g.n_nodes:,} accounts",
    )
    timed(rows, "aggregated pairs", graph.edges, lambda e: f"{len(e):,} pairs")
    timed(
        rows,
        "weakly connected components (networkit)",
        graph.weak_components,
        lambda c: f"{c.max() + 1:,} components",
    )
    timed(rows, "PageRank (networkit)", graph.pagerank)
    role_table = timed(
        rows,
        "roles with evidence",
        lambda: roles(graph, victims=list(victims), payments=payments),
        lambda t: ", ".join(f"{k} {v}" for k, v in t["primary"].value_counts().items()),
    )
    fifo = timed(
        rows,
        "tracing, FIFO",
        lambda: trace(graph, victims=victims, cash_out=cash, method="fifo", payments=payments),
        lambda r: f"{len(r.flows):,} flows",
    )
    timed(
        rows,
        "tracing, proportional",
        lambda: trace(
            graph,
            victims=victims,
            cash_out=cash,
            method="proportional",
            payments=payments,
            min_amount=MIN_AMOUNT,
        ),
        lambda r: f"{len(r.flows):,} flows (pieces under {MIN_AMOUNT:,} đồng not split further)",
    )
    result = timed(
        rows,
        "totals (with money per cash-out point)",
        lambda: totals(graph, victims=victims, network=set(truth.account_ring.index), trace=fifo),
    )
    timed(
        rows,
        "account score with rings",
        lambda: score_accounts(graph, reasons=False),
        lambda t: f"{t['ring'].nunique()} rings",
    )
    timed(rows, "fan-in, 3-day windows", lambda: fan_in(graph), lambda t: f"{len(t):,} accounts")
    timed(rows, "fan-out, 3-day windows", lambda: fan_out(graph), lambda t: f"{len(t):,} accounts")
    timed(rows, "scatter-gather, 7-day windows", lambda: scatter_gather(graph), lambda t: f"{len(t):,} pairs")
    graph_seconds = sum(row[1] for row in rows[setup:])
    graph_cpu = sum(row[2] for row in rows[setup:])
    core = {
        "account graph (ids → ints)",
        "aggregated pairs",
        "weakly connected components (networkit)",
        "PageRank (networkit)",
        "roles with evidence",
        "tracing, FIFO",
        "totals (with money per cash-out point)",
        "account score with rings",
    }
    core_wall = sum(row[1] for row in rows[setup:] if row[0] in core)
    core_cpu = sum(row[2] for row in rows[setup:] if row[0] in core)
    load = os.getloadavg()

    exact = (
        result.distinct_victims.value == truth.distinct_victims
        and result.lost.value == truth.money_lost.sum()
        and np.allclose(
            result.by_cash_out.set_index("cash_out")["amount"].sort_index().to_numpy(),
            truth.cash_out_received.sort_index().to_numpy(),
        )
    )
    ratio, nx_nodes, nx_tx, nx_pairs = networkx_ratio(args.networkx_transactions, args.seed + 1)
    cpu = time.process_time() - cpu_started

    lines = [
        "# Network library speed: graph steps on synthetic transactions",
        "",
        f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python {platform.python_version()}, "
        f"networkit {nk.__version__}, networkx {nx.__version__}, {os.cpu_count()} cores shared with other "
        f"work. Command: `python benchmarks/network_speed.py --transactions {args.transactions} "
        f"--victims {args.victims}`. Whole run {cpu:.0f} s of CPU. Load average during the run "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores: the machine was "
        "shared, so wall-clock seconds are several times the CPU seconds this process got; the CPU "
        "column is what the steps cost.",
        "",
        f"Case: {len(tx):,} transactions, {graph.n_nodes:,} accounts, {len(set(victims.values())):,} victims "
        f"(er's generator, seed {args.seed}).",
        "",
        "| step | wall s | CPU s | result |",
        "|---|---:|---:|---|",
    ]
    for name, seconds, cpu_s, note in rows:
        lines.append(f"| {name} | {seconds:.2f} | {cpu_s:.2f} | {note} |")
    lines += [
        "",
        f"**Core graph steps (graph, pairs, components, PageRank, roles, FIFO tracing, totals, score "
        f"and rings): {core_cpu:.1f} s CPU** ({core_wall:.1f} s wall on the shared machine; target: "
        f"under 60 s). Every step above together: {graph_cpu:.1f} s CPU ({graph_seconds:.1f} s wall). Totals equal to the "
        f"generator's ground truth (distinct victims, money lost, money per cash-out point): "
        f"**{'yes' if exact else 'NO'}**. Roles found: {len(role_table):,} accounts.",
        "",
        f"## Against networkx ({nx_tx:,} transactions, {nx_nodes:,} accounts, {nx_pairs:,} pairs)",
        "",
        "| step | networkit s | networkx s | networkx / networkit |",
        "|---|---:|---:|---:|",
    ]
    for name, ours, theirs in ratio:
        lines.append(f"| {name} | {ours:.3f} | {theirs:.3f} | {theirs / max(ours, 1e-9):.1f}× |")
    total_ours = sum(r[1] for r in ratio)
    total_theirs = sum(r[2] for r in ratio)
    lines += [
        f"| **together** | {total_ours:.3f} | {total_theirs:.3f} | {total_theirs / max(total_ours, 1e-9):.1f}× |",
        "",
        "Notes: networkit runs on one thread here (`nk.setNumberOfThreads(1)`). Both libraries get the same aggregated pairs; networkx's PageRank uses scipy "
        "sparse matrices, its fastest path. Tracing, roles, totals, typologies and the score are "
        "our own numpy code over the same arrays with either engine, so they are not in the ratio. "
        "Wall-clock timings on this shared machine vary several-fold with its load; CPU seconds by about a third from run to run.",
    ]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
