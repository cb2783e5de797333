"""Benchmark of the scheduling engine, and the same networks through MPXJ's MicrosoftScheduler.

Run from the repository root::

    .venv/bin/python bench/schedule_engine.py [--sizes 1000 10000 100000] [--no-mpxj]

For each size it builds a deterministic network -- tasks grouped under summaries (one per 25
tasks), about 1.15 links per task mixing FS/SS/FF/SF with zero, positive and negative lags, 5 %
milestones, a standard calendar with holidays -- schedules it (best of a few runs) and prints
the wall-clock and CPU time, the time per task and the 100k/10k ratio, all measured in this run.

Where Java (``java`` and ``javac``) and the ``mpxj`` package are installed, each network is
exported as MSPDI (``document_from_schedule`` + ``write_mspdi``), read by MPXJ and scheduled by
``org.mpxj.cpm.MicrosoftScheduler`` -- MPXJ's reconstruction of Microsoft Project's scheduler --
in a small Java harness compiled on the fly. The first tasks of each network carry no leads or
SF links: there those could ask for a start before the project start, which Keel refuses and
MPXJ allows, and the difference would then run through everything downstream. The bench prints
our time / MPXJ's time (scheduling only; reading is excluded on both sides) and how many tasks
get the same early and late dates (compared in working time). If MPXJ is not reachable it says why and carries on.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from projects.scheduling import (
    LinkIn,
    LinkType,
    ScheduleResult,
    TaskIn,
    WorkCalendar,
    document_from_schedule,
    schedule,
    write_mspdi,
)

START = datetime(2024, 1, 8, 8)
DAY = 480
WARM_UP = 200  # leaves at the start of the network without leads or SF links (see make_network)
HARNESS = """
import java.io.File;
import java.io.PrintWriter;
import org.mpxj.ProjectFile;
import org.mpxj.Task;
import org.mpxj.cpm.MicrosoftScheduler;
import org.mpxj.reader.UniversalProjectReader;

public class KeelMpxjBench {
   public static void main(String[] args) throws Exception {
      File input = new File(args[0]);
      int repeat = Integer.parseInt(args[2]);
      long best = Long.MAX_VALUE;
      ProjectFile project = null;
      for (int run = 0; run < repeat; run++) {
         project = new UniversalProjectReader().read(input);
         long started = System.nanoTime();
         new MicrosoftScheduler().schedule(project, project.getProjectProperties().getStartDate());
         best = Math.min(best, System.nanoTime() - started);
      }
      try (PrintWriter out = new PrintWriter(args[1])) {
         out.println("nanos," + best);
         for (Task task : project.getTasks()) {
            out.println(task.getName() + "," + task.getEarlyStart() + "," + task.getEarlyFinish() + ","
               + task.getLateStart() + "," + task.getLateFinish());
         }
      }
   }
}
"""


def make_network(size: int, seed: int = 7) -> tuple[list[TaskIn], list[LinkIn], dict[str, WorkCalendar]]:
    """A deterministic network of ``size`` tasks (summaries included); see the module docstring."""
    rng = random.Random(seed)
    holidays = sorted({date(2024, 1, 1) + timedelta(days=rng.randrange(6 * 365)) for _ in range(60)})
    calendars = {"std": WorkCalendar.standard(holidays=holidays)}
    tasks: list[TaskIn] = []
    leaves: list[str] = []
    summary = None
    for i in range(size):
        if i % 25 == 0:
            summary = f"S{i}"
            tasks.append(TaskIn(summary, summary))
            continue
        milestone = rng.random() < 0.05
        duration = 0 if milestone else rng.randint(1, 20) * DAY
        tasks.append(TaskIn(f"T{i}", f"T{i}", parent_id=summary, duration_minutes=duration, is_milestone=milestone))
        leaves.append(f"T{i}")
    links: list[LinkIn] = []
    kinds = [LinkType.FS] * 80 + [LinkType.SS] * 8 + [LinkType.FF] * 8 + [LinkType.SF] * 4
    for position in range(1, len(leaves)):
        for _ in range(2 if rng.random() < 0.15 else 1):
            predecessor = leaves[max(0, position - rng.randint(1, 40))]
            roll = rng.random()
            lag = 0 if roll < 0.7 else rng.randint(1, 5) * DAY if roll < 0.9 else -rng.randint(1, 2) * DAY
            kind = rng.choice(kinds)
            if position < WARM_UP and (lag < 0 or kind == LinkType.SF):
                # Near the project start a lead or an SF link can ask for a start before the
                # project start: Keel refuses that, MPXJ does not, and everything downstream
                # would then differ. Keeping them out of the first tasks keeps the comparison
                # about everything else.
                kind, lag = LinkType.FS, -lag if lag < 0 else lag
            links.append(LinkIn(predecessor, leaves[position], kind, lag))
    unique = {(link.predecessor_id, link.successor_id): link for link in links}
    return tasks, list(unique.values()), calendars


def time_engine(
    tasks: list[TaskIn], links: list[LinkIn], calendars: dict, repeat: int
) -> tuple[float, float, ScheduleResult]:
    """Best wall-clock and CPU seconds over ``repeat`` runs, and the schedule."""
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = schedule(tasks, links, calendars=calendars, default_calendar_id="std", project_start=START)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    assert result is not None
    return best_wall, best_cpu, result


def mpxj_harness(workdir: Path) -> tuple[list[str], str | None]:
    """Compile the Java harness; return the java command prefix, or a reason it is unavailable."""
    java, javac = shutil.which("java"), shutil.which("javac")
    if java is None or javac is None:
        return [], "no Java compiler/runtime on PATH (java and javac are needed)"
    # The PyPI package ships MPXJ's jars; importing it would need JPype, so only locate it.
    spec = importlib.util.find_spec("mpxj")
    if spec is None or spec.origin is None or not (Path(spec.origin).parent / "lib").is_dir():
        return [], "the mpxj package is not installed (pip install -r requirements-mpxj.txt)"
    classpath = f"{Path(spec.origin).parent / 'lib'}{os.sep}*"
    source = workdir / "KeelMpxjBench.java"
    source.write_text(HARNESS)
    built = subprocess.run(  # noqa: S603 -- fixed argv
        [javac, "-cp", classpath, "-d", str(workdir), str(source)], capture_output=True, text=True, check=False
    )
    if built.returncode != 0:
        return [], f"the harness does not compile against this MPXJ: {built.stderr.strip()[:300]}"
    return [java, "-Xss1g", "-Xmx6g", "-cp", f"{classpath}{os.pathsep}{workdir}", "KeelMpxjBench"], None


def run_mpxj(command: list[str], workdir: Path, size: int, tasks, links, calendars, result, repeat: int) -> dict | None:
    """Schedule the network with MPXJ; return its time and the date agreement, or None."""
    document = document_from_schedule(
        name=f"bench-{size}", tasks=tasks, links=links, calendars=calendars, default_calendar_id="std", result=result
    )
    source, output = workdir / f"net-{size}.xml", workdir / f"net-{size}.csv"
    source.write_bytes(write_mspdi(document))
    done = subprocess.run(  # noqa: S603 -- fixed argv
        [*command, str(source), str(output), str(repeat)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(f"    MPXJ failed on {size} tasks: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
        return None
    calendar = calendars["std"]
    with output.open() as handle:
        rows = list(csv.reader(handle))
    nanos = int(rows[0][1])
    compared = agreed = 0
    examples: list[str] = []
    leaf = {task.id for task in tasks} - {task.parent_id for task in tasks}
    for name, *dates in rows[1:]:
        if name not in leaf:
            continue
        ours = result.tasks[name]
        mine = (ours.early_start, ours.early_finish, ours.late_start, ours.late_finish)
        theirs = [datetime.fromisoformat(value) if value != "null" else None for value in dates]
        compared += 1
        same = all(
            t is not None and calendar.working_minutes_at(m) == calendar.working_minutes_at(t)
            for m, t in zip(mine, theirs, strict=True)
        )
        agreed += same
        if not same and len(examples) < 3:
            examples.append(f"{name}: ours ES/EF/LS/LF {[f'{m:%Y-%m-%d %H:%M}' for m in mine]} MPXJ {dates}")
    return {"seconds": nanos / 1e9, "compared": compared, "agreed": agreed, "examples": examples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--no-mpxj", action="store_true", help="skip the MPXJ comparison")
    parser.add_argument(
        "--mpxj-max", type=int, default=10_000, help="largest network given to MPXJ (its scheduler is quadratic)"
    )
    args = parser.parse_args()

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; best of several runs per size\n")
    print(f"{'tasks':>8} {'links':>8} {'wall s':>8} {'CPU s':>8} {'us/task':>8}")
    timings: dict[int, float] = {}
    networks = {}
    for size in args.sizes:
        tasks, links, calendars = make_network(size)
        repeat = 5 if size <= 1_000 else 3 if size <= 10_000 else 2
        wall, cpu, result = time_engine(tasks, links, calendars, repeat)
        timings[size] = cpu
        networks[size] = (tasks, links, calendars, result, repeat)
        print(f"{len(tasks):>8} {len(links):>8} {wall:>8.3f} {cpu:>8.3f} {1e6 * cpu / len(tasks):>8.1f}")
    if 10_000 in timings and 100_000 in timings:
        print(f"\nratio 100k/10k (CPU time): {timings[100_000] / timings[10_000]:.1f} (linear would be 10.0)")

    if args.no_mpxj:
        return
    print("\nMPXJ MicrosoftScheduler on the same networks:")
    with tempfile.TemporaryDirectory(prefix="keel-bench-") as tmp:
        command, reason = mpxj_harness(Path(tmp))
        if reason:
            print(f"    skipped: {reason}")
            return
        for size, (tasks, links, calendars, result, repeat) in networks.items():
            if size > args.mpxj_max:
                print(
                    f"{len(tasks):>8} tasks: skipped -- MPXJ's scheduler grows quadratically (see the 1k and 10k"
                    f" times above); raise --mpxj-max to run it anyway"
                )
                continue
            outcome = run_mpxj(command, Path(tmp), size, tasks, links, calendars, result, min(repeat, 2))
            if outcome is None:
                continue
            share = 100 * outcome["agreed"] / max(outcome["compared"], 1)
            print(
                f"{len(tasks):>8} tasks: ours {timings[size]:.3f} s, MPXJ {outcome['seconds']:.3f} s,"
                f" ours/MPXJ = {timings[size] / outcome['seconds']:.3f};"
                f" dates agree for {outcome['agreed']}/{outcome['compared']} tasks ({share:.1f} %)"
            )
            for example in outcome["examples"]:
                print(f"      differs: {example}")


if __name__ == "__main__":
    main()
