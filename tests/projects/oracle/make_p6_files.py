"""Write the P6 oracle files in tests/projects/data/p6/ (.xer and P6 XML), one per scenario.

Run from the repository root when a scenario changes (needs Java and the mpxj package)::

    .venv/bin/python -m tests.projects.oracle.make_p6_files

Each scenario exercises one rule of the Primavera P6 dialect; MPXJ builds the project from the
spec below, schedules it with its PrimaveraScheduler (so the file carries dates, as a P6 export
does) and writes it with PrimaveraXERFileWriter and PrimaveraPMFileWriter. The tests read the
files back through MPXJ; nothing here runs during the tests.

Calendars: ``std`` is Monday-Friday 08:00-12:00 and 13:00-17:00 with a holiday on Monday
2026-01-19; ``seven`` works the same hours every day; ``tens`` (the scenarios between calendars)
works Monday-Thursday 07:00-12:00 and 12:30-17:30. The project starts Monday 2026-01-05 08:00.
Durations and lags are hours.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "p6"
START = "2026-01-05T08:00"
DAY = [["08:00", "12:00"], ["13:00", "17:00"]]
STD = {"id": "std", "name": "Standard", "week": {str(d): DAY for d in range(1, 6)}, "holidays": ["2026-01-19"]}
SEVEN = {"id": "seven", "name": "Seven day", "week": {str(d): DAY for d in range(1, 8)}}
TENS_DAY = [["07:00", "12:00"], ["12:30", "17:30"]]
TENS = {"id": "tens", "name": "Four tens", "week": {str(d): TENS_DAY for d in range(1, 5)}}


def project(name: str, **options) -> dict:
    spec = {
        "name": name,
        "start": START,
        "data_date": START,
        "must_finish_by": None,
        "default_calendar": "std",
        "lag_calendar": "predecessor",
        "float_mode": "finish",
        "critical_mode": "total_float",
        "critical_float_hours": 0,
        "progress_mode": "retained_logic",
        "calendars": [STD, SEVEN],
        "wbs": [{"id": "W1", "name": "Engineering"}, {"id": "W2", "name": "Construction"}],
        "activities": [],
        "links": [],
    }
    spec.update(options)
    return spec


def act(id_: str, hours: float = 0, wbs: str = "W1", **extra) -> dict:
    return {"id": id_, "name": id_, "wbs": wbs, "duration_h": hours, **extra}


def link(pred: str, succ: str, type_: str = "FS", lag: float = 0) -> dict:
    return {"pred": pred, "succ": succ, "type": type_, "lag_h": lag}


def multi_links() -> dict:
    """Several relationships between one pair (SS + FF, the planners' favourite), SF, lags."""
    return project(
        "multi_links",
        activities=[
            act("A1000", type="start_milestone"),
            act("A1010", 40),
            act("A1020", 24),
            act("A1030", 16),
            act("A1040", 32, "W2"),
            act("A1050", 8, "W2"),
            act("A1060", 8, "W2"),
            act("A1070", type="finish_milestone", wbs="W2"),
        ],
        links=[
            link("A1000", "A1010"),
            link("A1010", "A1020", "SS", 8),
            link("A1010", "A1020", "FF", 16),
            link("A1020", "A1030"),
            link("A1010", "A1030", "FS", 8),
            link("A1030", "A1040", "SS"),
            link("A1030", "A1040", "FF", 8),
            link("A1010", "A1050"),
            link("A1040", "A1060", "SF", 24),
            link("A1040", "A1070"),
            link("A1050", "A1070"),
            link("A1060", "A1070"),
        ],
    )


def lag_calendar(mode: str) -> dict:
    """Lags across a weekend between a seven-day and a five-day activity, in each lag calendar."""
    return project(
        f"lag_calendar_{mode}",
        lag_calendar=mode,
        activities=[
            act("B1000", 32, calendar="seven"),
            act("B1010", 16, calendar="std"),
            act("B1020", 8, calendar="seven"),
            act("B1030", 8, calendar="std"),
            act("B1040", 8, calendar="std"),
            act("B1050", 16, "W2", calendar="seven"),
            act("B1060", type="finish_milestone", wbs="W2"),
        ],
        links=[
            link("B1000", "B1010", "FS", 16),
            link("B1010", "B1020", "SS", 24),
            link("B1020", "B1030", "FF", 8),
            link("B1000", "B1040", "SS", 40),
            link("B1030", "B1050", "FS", -8),
            link("B1040", "B1060"),
            link("B1050", "B1060"),
        ],
    )


def progressed(name: str, **options) -> dict:
    """An updated schedule: data date Wednesday 2026-01-14 00:00 (an instant), one activity done,
    one in progress, one started out of sequence, not-started work with and without logic."""
    return project(
        name,
        data_date="2026-01-14T00:00",
        activities=[
            act("C1000", 40, actual_start="2026-01-05T08:00", actual_finish="2026-01-09T17:00", remaining_h=0),
            act("C1010", 40, actual_start="2026-01-12T08:00", remaining_h=24),
            act("C1020", 24, actual_start="2026-01-13T08:00", remaining_h=16),
            act("C1030", 16),
            act("C1040", 24, "W2"),
            act("C1050", 16, "W2"),
            act("C1060", type="finish_milestone", wbs="W2"),
        ],
        links=[
            link("C1000", "C1010"),
            link("C1010", "C1020"),
            link("C1020", "C1030"),
            link("C1000", "C1050", "FS", 8),
            link("C1030", "C1060"),
            link("C1040", "C1060"),
            link("C1050", "C1060"),
        ],
        **options,
    )


def float_mode(mode: str) -> dict:
    """Start, finish and smallest float, on the progressed network with a level-of-effort activity
    (its start and finish float differ) and a must-finish-by that leaves some float."""
    spec = progressed(f"float_{mode}", float_mode=mode, must_finish_by="2026-01-23T17:00")
    spec["activities"].append(act("C1070", 0, "W2", type="loe"))
    spec["links"] += [link("C1010", "C1070", "SS"), link("C1030", "C1070", "FF")]
    return spec


def critical(mode: str) -> dict:
    """Three branches with 0, 16 and 24 hours of float; the project may finish 40 hours late, so
    every float is positive: by total float (threshold 56 h) or by the longest path."""
    return project(
        f"critical_{mode}",
        critical_mode=mode,
        critical_float_hours=56 if mode == "total_float" else 0,
        must_finish_by="2026-01-21T17:00",
        activities=[
            act("D1000", 16),
            act("D1010", 40),
            act("D1020", 24),
            act("D1030", 16),
            act("D1040", 8, "W2"),
            act("D1050", 16, "W2"),
            act("D1060", type="finish_milestone", wbs="W2"),
        ],
        links=[
            link("D1000", "D1010"),
            link("D1000", "D1020"),
            link("D1000", "D1030"),
            link("D1010", "D1050"),
            link("D1020", "D1050"),
            link("D1030", "D1040"),
            link("D1040", "D1060"),
            link("D1050", "D1060"),
        ],
    )


def negative_float() -> dict:
    """A must-finish-by before the early finish, and activity constraints (FNLT, SNET, MSO, SNLT)
    that give negative float."""
    return project(
        "negative_float",
        must_finish_by="2026-01-14T17:00",
        activities=[
            act("E1000", 24),
            act("E1010", 40, constraint="FNLT", constraint_date="2026-01-09T17:00"),
            act("E1020", 16, constraint="SNET", constraint_date="2026-01-13T08:00"),
            act("E1030", 16, "W2", constraint="MSO", constraint_date="2026-01-08T08:00"),
            act("E1040", 8, "W2", constraint="SNLT", constraint_date="2026-01-07T08:00"),
            act("E1050", type="finish_milestone", wbs="W2"),
        ],
        links=[
            link("E1000", "E1010"),
            link("E1010", "E1020"),
            link("E1000", "E1030", "SS", 8),
            link("E1000", "E1040"),
            link("E1020", "E1050"),
            link("E1030", "E1050"),
            link("E1040", "E1050"),
        ],
    )


def constraints() -> dict:
    """P6's other activity constraints: as late as possible, start on, finish on, mandatory finish
    and finish on or after, with a must-finish-by that leaves some float."""
    return project(
        "constraints",
        must_finish_by="2026-01-23T17:00",
        activities=[
            act("H1000", 16),
            act("H1010", 24, constraint="ALAP"),
            act("H1020", 16, constraint="SO", constraint_date="2026-01-08T08:00"),
            act("H1030", 8, "W2", constraint="FO", constraint_date="2026-01-13T17:00"),
            act("H1040", 16, "W2", constraint="MFO", constraint_date="2026-01-16T17:00"),
            act("H1050", 8, "W2", constraint="FNET", constraint_date="2026-01-20T17:00"),
            act("H1060", type="finish_milestone", wbs="W2"),
        ],
        links=[
            link("H1000", "H1010"),
            link("H1000", "H1020"),
            link("H1010", "H1040"),
            link("H1020", "H1030"),
            link("H1030", "H1040"),
            link("H1040", "H1050"),
            link("H1050", "H1060"),
        ],
    )


def loe_wbs_summary() -> dict:
    """A level-of-effort activity spanning its SS predecessor and FF predecessor, and a WBS
    summary activity spanning the activities of its WBS branch."""
    return project(
        "loe_wbs_summary",
        wbs=[
            {"id": "W1", "name": "Engineering"},
            {"id": "W2", "name": "Construction"},
            {"id": "W21", "name": "Foundations", "parent": "W2"},
        ],
        activities=[
            act("F1000", 24),
            act("F1010", 40),
            act("F1020", 16, "W21"),
            act("F1030", 24, "W21"),
            act("F1040", 8, "W2"),
            act("F1050", 0, "W1", type="loe"),
            act("F1060", 0, "W2", type="wbs_summary"),
            act("F1070", type="finish_milestone", wbs="W2"),
        ],
        links=[
            link("F1000", "F1010"),
            link("F1010", "F1020"),
            link("F1020", "F1030", "SS", 8),
            link("F1030", "F1040"),
            link("F1040", "F1070"),
            link("F1000", "F1050", "SS"),
            link("F1030", "F1050", "FF"),
        ],
    )


def updated_late() -> dict:
    """The issue's updated schedule: planned in January, data date Monday 2026-03-02 00:00 with
    most work not started; the must-finish-by is 2026-03-13 17:00, so the remaining 20 working days
    give about -10 days of float (P6 shows it; a scheduler that keeps not-started work before the
    data date shows 0)."""
    return project(
        "updated_late",
        data_date="2026-03-02T00:00",
        must_finish_by="2026-03-13T17:00",
        activities=[
            act("G1000", 40, actual_start="2026-01-05T08:00", actual_finish="2026-01-16T17:00", remaining_h=0),
            act("G1010", 80, actual_start="2026-02-16T08:00", remaining_h=40),
            act("G1020", 40),
            act("G1030", 40, "W2"),
            act("G1040", 24, "W2"),
            act("G1050", type="finish_milestone", wbs="W2"),
        ],
        links=[
            link("G1000", "G1010"),
            link("G1010", "G1020"),
            link("G1020", "G1030"),
            link("G1010", "G1040", "SS", 16),
            link("G1030", "G1050"),
            link("G1040", "G1050"),
        ],
    )


def ff_finish_non_working() -> dict:
    """An FF link without lag asks a four-tens activity (Monday-Thursday 07:00-17:30) to finish
    at a five-day predecessor's Friday noon, in the activity's non-working time: it finishes at
    the same working instant as Thursday 17:30, but P6 shows Monday 07:00, so a five-day FS
    successor starts Monday, not Friday. With a lag on the FF link, or when an SS link sets the
    same start, the finish stays at Thursday 17:30 and the successor starts on Friday."""
    return project(
        "ff_finish_non_working",
        calendars=[STD, SEVEN, TENS],
        activities=[
            act("H1000", 36),
            act("H1010", 16, calendar="tens"),
            act("H1020", 8),
            act("H1030", 28),
            act("H1040", 16, calendar="tens"),
            act("H1050", 8),
            act("H1060", 19, "W2"),
            act("H1070", 16, "W2"),
            act("H1080", 16, "W2", calendar="tens"),
            act("H1090", 5, "W2"),
            act("H1100", type="finish_milestone", wbs="W2"),
        ],
        links=[
            link("H1000", "H1010", "FF"),
            link("H1010", "H1020"),
            link("H1030", "H1040", "FF", 8),
            link("H1040", "H1050"),
            link("H1060", "H1070"),
            link("H1070", "H1080", "SS"),
            link("H1070", "H1080", "FF"),
            link("H1080", "H1090"),
            link("H1020", "H1100"),
            link("H1050", "H1100"),
            link("H1090", "H1100"),
        ],
    )


def ss_zero_lag_calendar() -> dict:
    """An SS link without lag from a finish milestone that sits at a five-day Friday 17:00: the
    zero lag is still counted in the lag calendar (the predecessor's), so a four-tens successor
    starts at that calendar's next work start, Monday 08:00, not at its own Monday 07:00. An FS
    link from the same milestone, and an SS link with a lag, are not moved."""
    return project(
        "ss_zero_lag_calendar",
        calendars=[STD, SEVEN, TENS],
        activities=[
            act("J1000", 40),
            act("J1010", type="finish_milestone"),
            act("J1020", 8, calendar="tens"),
            act("J1030", 8, calendar="tens"),
            act("J1040", 8, calendar="tens"),
            act("J1050", type="finish_milestone", wbs="W2", calendar="tens"),
        ],
        links=[
            link("J1000", "J1010"),
            link("J1010", "J1020", "SS"),
            link("J1010", "J1030"),
            link("J1010", "J1040", "SS", 8),
            link("J1020", "J1050"),
            link("J1030", "J1050"),
            link("J1040", "J1050"),
        ],
    )


def sf_across_calendars() -> dict:
    """An SF link with a lag from a four-tens activity (its start Wednesday 16:30, the lag 16
    hours of its calendar: Monday 12:00) to a one-day five-day activity, which must finish by
    then. MPXJ takes the successor's duration off the predecessor's start first and adds the lag
    after, in the other calendar, so its early start (Thursday 13:00) is 12 working hours before
    its early finish (Monday 12:00); Keel (and P6's duration) starts it one day before its finish:
    Friday 13:00 (P6_OVER_MPXJ in the test)."""
    return project(
        "sf_across_calendars",
        calendars=[STD, SEVEN, TENS],
        activities=[
            act("K1000", 28, calendar="tens"),
            act("K1010", 8, calendar="tens"),
            act("K1020", 8),
            act("K1030", type="finish_milestone", wbs="W2"),
        ],
        links=[
            link("K1000", "K1010"),
            link("K1010", "K1020", "SF", 16),
            link("K1020", "K1030"),
        ],
    )


def progress_actual_duration() -> dict:
    """An activity in progress whose reported remaining duration is not what the calendar says:
    four hours, started Friday 13:00, three hours left at the data date (Monday 00:00). Its
    actual duration is P6's working time from the actual start to the data date, four hours, and
    that is what counts against the 6-hour lag of its SS successor: two hours are left, from
    where its remaining work resumes (Monday 08:00), so the successor starts at 10:00."""
    return project(
        "progress_actual_duration",
        data_date="2026-01-12T00:00",
        activities=[
            act("L0990", 36, actual_start="2026-01-05T08:00", actual_finish="2026-01-09T12:00", remaining_h=0),
            act("L1000", 4, actual_start="2026-01-09T13:00", remaining_h=3),
            act("L1010", 8),
            act("L1020", 8, "W2"),
            act("L1030", type="finish_milestone", wbs="W2"),
        ],
        links=[
            link("L0990", "L1000"),
            link("L1000", "L1010", "SS", 6),
            link("L1000", "L1020"),
            link("L1010", "L1030"),
            link("L1020", "L1030"),
        ],
    )


def scenarios() -> dict[str, dict]:
    specs = [multi_links()]
    specs += [lag_calendar(mode) for mode in ("predecessor", "successor", "24h", "project")]
    specs += [
        progressed("progress_retained_logic", progress_mode="retained_logic"),
        progressed("progress_override", progress_mode="progress_override"),
        progressed("progress_actual_dates", progress_mode="actual_dates"),
    ]
    specs += [float_mode(mode) for mode in ("start", "finish", "smallest")]
    specs += [critical(mode) for mode in ("total_float", "longest_path")]
    specs += [negative_float(), constraints(), loe_wbs_summary(), updated_late()]
    specs += [ff_finish_non_working(), ss_zero_lag_calendar(), sf_across_calendars(), progress_actual_duration()]
    return {spec["name"]: copy.deepcopy(spec) for spec in specs}


def main() -> None:
    from tests.projects.oracle.p6 import build_files

    DATA.mkdir(parents=True, exist_ok=True)
    wanted = set(sys.argv[1:])
    specs = {DATA / name: spec for name, spec in scenarios().items() if not wanted or name in wanted}
    build_files(specs)
    for prefix in specs:
        print(f"wrote {prefix}.xer and {prefix.name}.xml")


if __name__ == "__main__":
    main()
