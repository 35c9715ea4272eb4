"""Benchmark: throughput, memory and start-up of gap-engine against the full rule catalogue.

Run with ``make bench``. It prints figures and asserts nothing about time: the targets (on a
2-core machine) are written next to each figure so a reader sees at once which are reached.

* engine: N synthetic profiles (46, 1,000, 10,000) through each engine, two ways — the engine
  alone (facts -> element outcomes) and a full check (facts -> engine -> findings), reporting
  profiles/s and ms/profile; peak RSS; RSS growth from 1,000 to 10,000 profiles in one engine
  (a leak of sessions shows here); the durable / python time ratio.
* CLI: 46 profiles to an XLSX workbook, wall time including interpreter start.
* workbook: writing the gap workbook alone for 46 and 1,000 checked profiles (``--workbook-sizes``).
* ``gap-engine --help`` cold start.
* import: refusing a hostile workbook (a template whose Offences sheet holds 600,000 rows, a few
  megabytes on disk): seconds and the Python heap's peak during the import, in a process of its own.
* YAML reading: the libyaml fast path against the ruamel path, ms per file, for the fixtures and
  the rule files (``--yaml-only`` prints just this).

Each engine runs in its own process, so its peak RSS is its own. The profiles are generated
from a fixed seed, identical for both engines, and kept out of the timed sections.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (46, 1_000, 10_000)
SEED = 20241001
FULL_CHECK_UP_TO = 1_000
"""The full check (findings with evidence, the same for both engines) is timed up to this N only,
so that the 10,000-profile run stays within a few minutes."""
TARGETS = {
    "durable_profiles_per_s": 2_000,
    "ratio": 10.0,
    "rss_growth_pct": 10.0,
    "cli_xlsx_s": 1.0,
    "help_ms": 300.0,
    "full_check_ms": 1.5,
    "check_one_s": 0.4,
    "stream_rss_mib": 200.0,
}
STREAM_N = 100_000
"""Profiles streamed to JSON Lines and CSV for the flat-memory figure (``--stream-n`` to change)."""


# --- synthetic profiles -------------------------------------------------------------------------


def synthetic_profile(rng: random.Random, index: int) -> dict[str, Any]:
    """A plausible, fully valid profile: a handful of offence provisions with mixed scope, most
    measures answered (some left unknown), now and then a reservation."""
    from gap_engine.profile import Answer, Conduct, Extraterritorial, Material, OffenceSetting, fact_paths
    from gap_engine.reservations import RESERVABLE

    answers = [a.value for a in Answer]
    weights = [5, 3, 2, 2]  # yes, no, partial, unknown
    conducts = [c.value for c in Conduct]
    offences = []
    for number in range(rng.randint(4, 14)):
        offence: dict[str, Any] = {
            "id": f"o-{number}",
            "title": f"Offence {number}",
            "citation": {"instrument": "Synthetic Criminal Code", "provision": f"s. {100 + number}"},
            "conduct": rng.sample(conducts, rng.randint(1, 6)),
            "material": {m.value: rng.choices(answers, weights)[0] for m in Material if rng.random() < 0.6},
            "setting": {name: rng.choices(answers, weights)[0] for name in OffenceSetting.model_fields if rng.random() < 0.7},
            "meeting_proposal_required": rng.choice(answers),
            "non_monetary_consideration": rng.choice(answers),
        }
        if rng.random() < 0.8:
            offence["age_threshold"] = rng.choice([14, 16, 18])
        if rng.random() < 0.2:
            offence["extraterritorial"] = {f: rng.choice(answers) for f in Extraterritorial.model_fields if f != "citation"}
        offences.append(offence)
    data: dict[str, Any] = {
        "jurisdiction": {"code": f"X{chr(ord('A') + index % 26)}", "name": f"Synthland {index}"},
        "as_of": "2024-10-01",
        "fictional": True,
        "convention": {
            "status": "party",
            "reservations_stated": True,
            "reservations": [
                {k: v for k, v in zip(("article", "paragraph", "indent"), key, strict=True) if v is not None}
                for key in sorted(RESERVABLE, key=str)
                if rng.random() < 0.15
            ],
        },
        "criminal_law": {
            "offences_listed_exhaustively": rng.choice(["yes", "unknown"]),
            "offences": offences,
            "extraterritorial": {f: rng.choice(answers) for f in Extraterritorial.model_fields if f != "citation"},
        },
    }
    for path in sorted(fact_paths()):
        if path == "criminal_law.offences_listed_exhaustively" or rng.random() < 0.3:
            continue
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = {"answer": rng.choices(answers, weights)[0], "citation": {"instrument": "Synthetic Act", "provision": "s. 1"}}
    return data


def synthetic_profiles(n: int, seed: int = SEED) -> list[dict[str, Any]]:
    return [synthetic_profile(random.Random(f"{seed}-{i}"), i) for i in range(n)]


# --- one engine, in its own process --------------------------------------------------------------


def _rss_kib() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def engine_worker(name: str, largest: int) -> dict[str, Any]:
    """Time one engine. Profiles are generated one at a time, outside the timed calls, so that
    memory holds one profile at a time and RSS growth shows the engine's own leaks."""
    from gap_engine.api import evaluate_profile, make_engine
    from gap_engine.facts import profile_facts
    from gap_engine.loading import validate_profile_data
    from gap_engine.rules import load_rules

    catalogue = load_rules()
    started = time.perf_counter()
    engine = make_engine(catalogue, name, notice=False)
    build_s = time.perf_counter() - started
    for i in range(20):  # warm-up, not timed
        engine.evaluate(profile_facts(validate_profile_data(synthetic_profile(random.Random(f"warm-{i}"), i), "warm-up")).facts)
    out: dict[str, Any] = {"engine": engine.name, "rules": len(catalogue.rules), "build_ms": build_s * 1000, "runs": {}}
    rss: dict[int, int] = {}
    fact_counts: list[int] = []
    clock = time.perf_counter
    for n in (size for size in SIZES if size <= largest):
        engine_s = check_s = 0.0
        for i in range(n):
            profile = validate_profile_data(synthetic_profile(random.Random(f"{SEED}-{i}"), i), f"synthetic-{i}")
            facts = profile_facts(profile).facts
            fact_counts.append(len(facts))
            started = clock()
            engine.evaluate(facts)
            engine_s += clock() - started
            if n <= FULL_CHECK_UP_TO:
                started = clock()
                evaluate_profile(profile, catalogue, engine, f"synthetic-{i}")
                check_s += clock() - started
        rss[n] = _rss_kib()
        out["runs"][n] = {"engine_s": engine_s, "check_s": check_s if n <= FULL_CHECK_UP_TO else None}
    out["facts_per_profile"] = statistics.mean(fact_counts)
    out["rss_kib"] = rss
    out["peak_rss_kib"] = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, *rss.values())
    return out


def run_worker(name: str, largest: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--worker", name, "--largest", str(largest)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"{name} engine run failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- CLI end to end -----------------------------------------------------------------------------


def _gap_engine() -> str:
    script = Path(sys.executable).with_name("gap-engine")
    return str(script) if script.exists() else "gap-engine"


def wall(args: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return times


def cli_xlsx_seconds(repeat: int = 3) -> tuple[list[float], int, dict[str, float]] | None:
    if not (ROOT / "gap_engine" / "reporters" / "xlsx.py").exists():
        return None
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, data in enumerate(synthetic_profiles(46, seed=SEED + 1)):
            # The generator's codes repeat after 26; one code on one date twice is refused as a duplicate.
            data["jurisdiction"]["territory"] = f"Synthetic part {i}"
            path = Path(tmp) / f"profile_{i:02d}.yaml"
            with path.open("w", encoding="utf-8") as handle:
                yaml.dump(data, handle)
            paths.append(str(path))
        workbook = Path(tmp) / "gaps.xlsx"
        args = [_gap_engine(), "check", *paths, "--xlsx", str(workbook)]
        check = subprocess.run(args, capture_output=True, text=True, check=False)
        if check.returncode != 0 or not workbook.exists():
            raise SystemExit(f"gap-engine check --xlsx failed ({check.returncode}):\n{check.stderr}")
        return wall(args, repeat), workbook.stat().st_size, _phases([Path(p) for p in paths], Path(tmp) / "phases.xlsx")


def _phases(paths: list[Path], workbook: Path) -> dict[str, float]:
    """Where the CLI's time goes, measured in this process (imports are already warm here)."""
    from gap_engine.api import check_profiles, make_engine
    from gap_engine.loading import load_profile
    from gap_engine.reporters.xlsx import write_workbook
    from gap_engine.rules import load_rules

    phases: dict[str, float] = {}
    started = time.perf_counter()
    catalogue = load_rules()
    phases["load rules"] = time.perf_counter() - started
    started = time.perf_counter()
    profiles = [(str(p), load_profile(p)) for p in paths]
    phases["read 46 profiles"] = time.perf_counter() - started
    started = time.perf_counter()
    results = check_profiles(profiles, catalogue, make_engine(catalogue, "durable", notice=False))
    phases["check"] = time.perf_counter() - started
    started = time.perf_counter()
    write_workbook(results, workbook, [])
    phases["write XLSX"] = time.perf_counter() - started
    return phases


# --- YAML reading -------------------------------------------------------------------------------


def yaml_figures(repeat: int = 5) -> list[tuple[str, int, float, float | None]]:
    """(label, files, ruamel ms per file, fast ms per file or None) for the fixtures and the rule files.

    Each file is parsed ``repeat`` times per path and the best round is kept, so a busy shared
    machine inflates the figures less; text is read once, outside the timing."""
    from gap_engine import yaml_fast
    from gap_engine.yamlio import parse_yaml, parse_yaml_ruamel, read_text

    groups = {
        "fixtures": sorted((ROOT / "fixtures").glob("*.yaml")),
        "rules": [*sorted((ROOT / "rules").glob("*.yaml")), ROOT / "gap_engine" / "paper.yaml"],
    }
    figures = []
    for label, paths in groups.items():
        texts = [(str(p), read_text(p)) for p in paths]

        def best(parse: Any, texts: list[tuple[str, str]] = texts) -> float:
            rounds = []
            for _ in range(repeat):
                started = time.perf_counter()
                for source, text in texts:
                    parse(text, source)
                rounds.append(time.perf_counter() - started)
            return min(rounds) * 1000 / len(texts)

        fast = best(parse_yaml) if yaml_fast.available() else None
        figures.append((label, len(texts), best(parse_yaml_ruamel), fast))
    return figures


def print_yaml_figures() -> None:
    for label, files, slow, fast in yaml_figures():
        if fast is None:
            print(f"YAML, {label} ({files} files): ruamel {slow:.2f} ms/file; fast path n/a (PyYAML's libyaml extension not installed)")
        else:
            print(f"YAML, {label} ({files} files): ruamel {slow:.2f} ms/file, libyaml fast path {fast:.2f} ms/file ({slow / fast:.0f}x)")


# --- scale: streamed check, garbage collector, one-fixture start-up ------------------------------


def _synthetic_loader(number: Any, packs: Any) -> Any:
    """The stream's profile reader for the bench: profile ``number`` generated and validated, no YAML
    (reading YAML is timed by its own figure), so the stream's own memory and speed show."""
    from gap_engine.loading import validate_profile_data

    return validate_profile_data(synthetic_profile(random.Random(f"{SEED}-{number}"), number), f"synthetic-{number}", packs)


def stream_worker(n: int, jobs: int) -> dict[str, Any]:
    """``check --format jsonl --csv`` of ``n`` synthetic profiles through the streaming API, as the CLI
    writes them (atomic temporary files); RSS sampled along the way to show it stays flat."""
    from gap_engine.api import stream_check
    from gap_engine.reporters import csv_report, jsonl
    from gap_engine.rules import load_rules
    from gap_engine.stream_output import atomic_stream

    catalogue = load_rules()
    samples: dict[int, int] = {}
    every = max(1, n // 10)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        stream = stream_check(list(range(n)), catalogue, "durable", jobs=jobs, load=_synthetic_loader)
        run = jsonl.RunInfo(**stream.run_info())
        with atomic_stream(Path(tmp) / "out.jsonl") as out, atomic_stream(Path(tmp) / "gaps.csv") as table:
            table.write(csv_report.header())
            for count, result in enumerate(stream, 1):
                out.write(jsonl.line(result, run))
                table.write(csv_report.profile_rows(result))
                if count % every == 0:
                    samples[count] = _rss_kib()
        sizes = {name: (Path(tmp) / name).stat().st_size for name in ("out.jsonl", "gaps.csv")}
    wall_s = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "n": n,
        "jobs": jobs,
        "wall_s": wall_s,
        "peak_rss_kib": peak,
        "worker_peak_rss_kib": children,
        "rss_kib": samples,
        "bytes": sizes,
    }


def gc_worker(n: int) -> dict[str, Any]:
    """A held run (``check_profiles``, every result kept) of ``n`` profiles with the cyclic collector
    paused during the check, as api.py does, and with it running: CPU seconds of each."""
    import contextlib

    from gap_engine import api
    from gap_engine.loading import validate_profile_data
    from gap_engine.rules import load_rules

    catalogue = load_rules()
    engine = api.make_engine(catalogue, "durable", notice=False)
    profiles = [(f"s-{i}", validate_profile_data(synthetic_profile(random.Random(f"{SEED}-{i}"), i), f"s-{i}")) for i in range(n)]
    api.check_profiles(profiles[:20], catalogue, engine)
    out: dict[str, Any] = {"n": n}
    paused = api.collector_paused
    for label, pause in (("running", contextlib.nullcontext), ("paused", paused), ("running again", contextlib.nullcontext)):
        api.collector_paused = pause  # type: ignore[assignment]
        started = time.process_time()
        results = api.check_profiles(profiles, catalogue, engine)
        out[label] = time.process_time() - started
        del results
    api.collector_paused = paused
    return out


def check_one_fixture(repeat: int = 3) -> tuple[list[float], dict[str, float]]:
    """``gap-engine check`` of one fixture, wall time including interpreter start, and where its
    time goes (measured in a fresh process, so imports are cold there too)."""
    fixture = ROOT / "fixtures" / "nl_netherlands.yaml"
    times = wall([_gap_engine(), "check", str(fixture)], repeat)
    result = subprocess.run(
        [sys.executable, __file__, "--worker", "phases", "--fixture", str(fixture)], capture_output=True, text=True, check=False
    )
    phases = json.loads(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else {}
    return times, phases


def phases_worker(fixture: str) -> dict[str, float]:
    clock = time.perf_counter
    phases: dict[str, float] = {}
    started = clock()
    from gap_engine import api
    from gap_engine.reporters import REPORTERS

    phases["imports"] = clock() - started
    started = clock()
    catalogue = api.load_rules()
    phases["load rules (YAML)"] = clock() - started
    started = clock()
    profile = api.load_profile(fixture, catalogue.packs)
    phases["read profile (YAML)"] = clock() - started
    started = clock()
    engine = api.make_engine(catalogue, "durable", notice=False)
    phases["build durable ruleset"] = clock() - started
    started = clock()
    results = api.check_profiles([(fixture, profile)], catalogue, engine)
    phases["check"] = clock() - started
    started = clock()
    REPORTERS["text"](results)
    phases["text report"] = clock() - started
    return phases


def run_json_worker(*args: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"bench worker {args} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- workbook writing -----------------------------------------------------------------------------

WORKBOOK_SIZES = (46, 1_000)


def workbook_figures(sizes: tuple[int, ...] = WORKBOOK_SIZES) -> list[str]:
    """Time writing the gap workbook (its bytes, in memory) for N synthetic profiles already checked.

    Only ``xlsx.workbook_bytes`` is timed: building the sheets, sizing the rows, serialising. One line per N,
    with ms per profile, so that growth faster than linear (one sheet per jurisdiction) shows.
    """
    from gap_engine.api import check_profiles, make_engine
    from gap_engine.loading import validate_profile_data
    from gap_engine.reporters import xlsx
    from gap_engine.rules import load_rules

    catalogue = load_rules()
    engine = make_engine(catalogue, "durable", notice=False)
    lines = []
    for n in sizes:
        generated = synthetic_profiles(n, SEED + 2)
        profiles = [(f"synthetic-{i}", validate_profile_data(data, f"synthetic-{i}")) for i, data in enumerate(generated)]
        results = check_profiles(profiles, catalogue, engine)
        started = time.perf_counter()
        data = xlsx.workbook_bytes(results)
        ms = (time.perf_counter() - started) * 1000
        rows = sum(len(p.findings) for p in results.profiles)
        lines.append(
            f"write XLSX, {n:>5,} profiles ({n + 5:,} sheets, {rows:,} finding rows): {ms:>9,.0f} ms, "
            f"{ms / n:,.1f} ms/profile, {len(data):,} bytes"
        )
    return lines


# --- report -------------------------------------------------------------------------------------


def hostile_workbook_worker(rows: int = 600_000) -> dict[str, Any]:
    """Time and memory to refuse a workbook whose Offences sheet holds ``rows`` rows (openpyxl took 39 s and 491 MB for 1,000,000)."""
    import io
    import zipfile

    from gap_engine.errors import InputErrors
    from gap_engine.questionnaire.importer import import_workbook
    from gap_engine.questionnaire.template import build_template
    from gap_engine.questionnaire.workbook_safety import _listed_sheets
    from gap_engine.rules import load_rules

    catalogue = load_rules()
    template = build_template(catalogue)
    body = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(1, rows + 1))
    sheet = f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>'
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        part = next(part for name, _, part in _listed_sheets(source, "template") if name == "Offences")
        for item in source.infolist():
            target.writestr(item.filename, sheet if item.filename == part else source.read(item))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hostile.xlsx"
        path.write_bytes(out.getvalue())
        import tracemalloc

        tracemalloc.start()
        start, cpu = time.perf_counter(), time.process_time()
        try:
            import_workbook(path, catalogue)
            message = "imported (not refused!)"
        except InputErrors as exc:
            message = str(exc.errors[0])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        size = path.stat().st_size
        return {"rows": rows, "bytes": size, "seconds": seconds, "cpu_seconds": cpu, "heap_peak_bytes": peak, "message": message}


def mark(reached: bool) -> str:
    return "reached" if reached else "NOT reached"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--largest", type=int, default=SIZES[-1], help="largest N (default 10,000)")
    parser.add_argument("--yaml-only", action="store_true", help="print only the YAML reading figures")
    parser.add_argument("--stream-n", type=int, default=STREAM_N, help=f"profiles streamed to JSON Lines (default {STREAM_N:,})")
    parser.add_argument("--stream-jobs", type=int, default=1, help="worker processes for the streamed run (default 1)")
    parser.add_argument("--gc-n", type=int, default=600, help="profiles in the held run timed with and without the collector")
    parser.add_argument("--only", choices=("engines", "scale"), help="run only the engine figures or only the scale figures")
    parser.add_argument("--fixture", help=argparse.SUPPRESS)
    sizes = ",".join(map(str, WORKBOOK_SIZES))
    parser.add_argument("--workbook-sizes", default=sizes, help="profiles per timed workbook (default 46,1000)")
    args = parser.parse_args()
    if args.worker == "hostile":
        print(json.dumps(hostile_workbook_worker()))
        return
    if args.yaml_only:
        print_yaml_figures()
        return
    if args.worker == "stream":
        print(json.dumps(stream_worker(args.stream_n, args.stream_jobs)))
        return
    if args.worker == "gc":
        print(json.dumps(gc_worker(args.gc_n)))
        return
    if args.worker == "phases":
        print(json.dumps(phases_worker(args.fixture)))
        return
    if args.worker:
        print(json.dumps(engine_worker(args.worker, args.largest)))
        return
    if args.only == "scale":
        print(f"gap-engine benchmark, scale figures only — Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
        scale_report(args, None)
        return

    print(f"gap-engine benchmark — Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), seed {SEED}")
    results = {name: run_worker(name, args.largest) for name in ("durable", "python")}
    durable, python = results["durable"], results["python"]
    print(
        f"catalogue: {durable['rules']} rules; {durable['facts_per_profile']:.1f} facts per profile on average; "
        f"ruleset build: durable {durable['build_ms']:.0f} ms, python {python['build_ms']:.0f} ms"
    )
    print()
    print(f"{'engine':<8} {'N':>7} {'engine only':>24} {'full check (to findings)':>28}")
    for name, res in results.items():
        if res["engine"] != name:
            print(f"  note: asked for {name}, got {res['engine']}")
        for n, run in res["runs"].items():
            e_rate = int(n) / run["engine_s"]
            check = "not timed".rjust(24)
            if run["check_s"]:
                check = f"{int(n) / run['check_s']:>14,.0f}/s {run['check_s'] * 1000 / int(n):>7.3f} ms"
            print(f"{name:<8} {int(n):>7,} {e_rate:>10,.0f}/s {run['engine_s'] * 1000 / int(n):>7.3f} ms {check}")
    print()
    largest = str(max(int(n) for n in durable["runs"]))
    d_run, p_run = durable["runs"][largest], python["runs"][largest]
    d_rate = int(largest) / d_run["engine_s"]
    ratio = d_run["engine_s"] / p_run["engine_s"]
    checked = str(max(int(n) for n, run in durable["runs"].items() if run["check_s"]))
    ratio_check = durable["runs"][checked]["check_s"] / python["runs"][checked]["check_s"]
    rate_target, ratio_target = TARGETS["durable_profiles_per_s"], TARGETS["ratio"]
    print(f"durable engine at N={int(largest):,}: {d_rate:,.0f} profiles/s  (target >= {rate_target:,}: {mark(d_rate >= rate_target)})")
    print(f"durable / python time, engine only: {ratio:.2f}x  (target <= {ratio_target:g}x: {mark(ratio <= ratio_target)})")
    print(f"durable / python time, full check (N={int(checked):,}): {ratio_check:.2f}x")
    for name, res in results.items():
        rss = res["rss_kib"]
        peak = res["peak_rss_kib"] / 1024
        if "1000" in rss and "10000" in rss:
            growth = (rss["10000"] - rss["1000"]) / rss["1000"] * 100
            growth_target = TARGETS["rss_growth_pct"]
            print(
                f"{name:<8} peak RSS {peak:,.1f} MiB; RSS after 1,000: {rss['1000'] / 1024:,.1f} MiB, after 10,000: "
                f"{rss['10000'] / 1024:,.1f} MiB, growth {growth:+.1f}%  (target < {growth_target:g}%: {mark(growth < growth_target)})"
            )
        else:
            print(f"{name:<8} peak RSS {peak:,.1f} MiB (RSS growth needs N=10,000)")
    print()
    xlsx = cli_xlsx_seconds()
    if xlsx is None:
        print("CLI, 46 profiles to XLSX: n/a (gap_engine/reporters/xlsx.py does not exist yet)")
    else:
        times, size, phases = xlsx
        best = min(times)
        print(
            f"CLI, 46 profiles to XLSX ({size:,}-byte workbook): best {best:.2f} s, median {statistics.median(times):.2f} s "
            f"(target < {TARGETS['cli_xlsx_s']:g} s: {mark(best < TARGETS['cli_xlsx_s'])})"
        )
        print("  of which, in-process: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.items()))
    for line in workbook_figures(tuple(int(n) for n in args.workbook_sizes.split(",") if n.strip())):
        print(line)
    help_times = wall([_gap_engine(), "--help"], 7)
    help_ms = statistics.median(help_times) * 1000
    help_target = TARGETS["help_ms"]
    print(f"gap-engine --help cold start: median {help_ms:.0f} ms of 7 (target < {help_target:g} ms: {mark(help_ms < help_target)})")
    worker = subprocess.run([sys.executable, __file__, "--worker", "hostile"], capture_output=True, text=True, check=True)
    hostile = json.loads(worker.stdout)
    print(
        f"import, refusing a {hostile['rows']:,}-row workbook ({hostile['bytes']:,} bytes): "
        f"{hostile['seconds']:.2f} s, CPU {hostile['cpu_seconds']:.2f} s "
        f"(traced, so slower than untraced), Python heap peak {hostile['heap_peak_bytes'] / 2**20:,.1f} MiB; "
        f"{hostile['message'].split(': ', 1)[-1]}"
    )
    print_yaml_figures()
    full_ms = durable["runs"][checked]["check_s"] * 1000 / int(checked)
    measured = {"full_check_ms": full_ms, "xlsx_s": min(xlsx[0]) if xlsx else None}
    if args.only == "engines":  # the streamed run, the collector and start-up figures are --only scale's
        print()
        print_measured_targets(measured)
        return
    scale_report(args, measured)


def print_measured_targets(measured: dict[str, Any] | None) -> None:
    """The verdicts of the targets the engine run measures (the full check, 46 profiles to XLSX)."""
    print("targets:")
    if measured is None:
        print("  full check and 46 profiles -> XLSX: not measured (--only scale)")
        return
    full = measured["full_check_ms"]
    full_target = TARGETS["full_check_ms"]
    print(f"  full check <= {full_target:g} ms/profile (durable, N=1,000): {full:.2f} ms — {mark(full <= full_target)}")
    xlsx_s = measured["xlsx_s"]
    if xlsx_s is not None:
        print(f"  46 profiles -> XLSX <= {TARGETS['cli_xlsx_s']:g} s wall: {xlsx_s:.2f} s — {mark(xlsx_s <= TARGETS['cli_xlsx_s'])}")


def scale_report(args: argparse.Namespace, measured: dict[str, Any] | None) -> None:
    """The scale figures (streamed run, collector, one-fixture start-up) and every target's verdict."""
    print()
    times, phases = check_one_fixture()
    one = min(times)
    yaml_s = sum(v for k, v in phases.items() if "YAML" in k)
    one_target = TARGETS["check_one_s"]
    print(f"CLI, check of one fixture: best {one:.2f} s of {len(times)} (target <= {one_target:g} s: {mark(one <= one_target)})")
    if phases:
        print("  of which, in a fresh process: " + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in phases.items()))
        print(f"  without the YAML reading (another figure): {one - yaml_s:.2f} s")
    gc_run = run_json_worker("gc", "--gc-n", str(args.gc_n))
    n = gc_run["n"]
    running = min(gc_run["running"], gc_run["running again"])
    print(
        f"held run of {n:,} profiles, CPU: collector running {running * 1000 / n:.2f} ms/profile, paused during the check "
        f"{gc_run['paused'] * 1000 / n:.2f} ms/profile ({(1 - gc_run['paused'] / running) * 100:+.0f}% saved)"
    )
    stream = run_json_worker("stream", "--stream-n", str(args.stream_n), "--stream-jobs", str(args.stream_jobs))
    rss = {int(k): v / 1024 for k, v in stream["rss_kib"].items()}
    peak = max(stream["peak_rss_kib"], stream["worker_peak_rss_kib"]) / 1024
    target = TARGETS["stream_rss_mib"]
    print(
        f"--format jsonl + --csv, {stream['n']:,} synthetic profiles, --jobs {stream['jobs']}: {stream['wall_s']:.0f} s wall "
        f"({stream['n'] / stream['wall_s']:,.0f} profiles/s), peak RSS {peak:,.0f} MiB (target < {target:g} MiB at 100,000: "
        f"{mark(peak < target) if stream['n'] >= 100_000 else 'not measured at 100,000'})"
    )
    print("  RSS along the run (MiB): " + ", ".join(f"{k:,}: {v:,.0f}" for k, v in sorted(rss.items())))
    print(f"  output: {stream['bytes']['out.jsonl'] / 1e6:,.0f} MB JSON Lines, {stream['bytes']['gaps.csv'] / 1e6:,.0f} MB CSV")
    print()
    print_measured_targets(measured)
    print(f"  check of one fixture <= {TARGETS['check_one_s']:g} s wall: {one:.2f} s — {mark(one <= TARGETS['check_one_s'])}")
    if stream["n"] >= 100_000:
        print(f"  100,000 profiles to jsonl, peak RSS < {target:g} MiB: {peak:,.0f} MiB — {mark(peak < target)}")
    else:
        print(f"  100,000 profiles to jsonl, peak RSS < {target:g} MiB: not measured (ran {stream['n']:,}; peak {peak:,.0f} MiB)")
    print("  make test <= 90 s: not measured by the bench (time `make test`)")


if __name__ == "__main__":
    main()
