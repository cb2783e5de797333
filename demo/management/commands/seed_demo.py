"""`manage.py seed_demo --scale small|medium|large --seed N [--reset | --if-empty]`."""

import sys
from argparse import BooleanOptionalAction

from django.core.management.base import BaseCommand, CommandError

from demo.logins import DEMO_PASSWORD, demo_logins_table
from demo.seed import LATE_STAGES, SCALES, DemoDataExistsError, demo_data_present, demo_seed, demo_seed_stages


class Command(BaseCommand):
    help = (
        "Build a realistic, deterministic demo portfolio (same --seed, same data). Refuses when "
        "the database already holds portfolios, programs, projects or demo users, unless "
        "--reset (which deletes ALL of them first) or --if-empty (which then does nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(SCALES), default="small", help="How much data (default: small).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default: 1).")
        exists = parser.add_mutually_exclusive_group()
        exists.add_argument(
            "--reset", action="store_true", help="Delete all portfolios, programs, projects and demo users first."
        )
        exists.add_argument("--if-empty", action="store_true", help="Skip quietly (exit 0) when data already exists.")
        parser.add_argument("--password", default=DEMO_PASSWORD, help="Password of every demo login.")
        parser.add_argument(
            "--progress",
            action=BooleanOptionalAction,
            default=None,
            help="Show progress bars on stderr (default: when stderr is a terminal).",
        )
        parser.add_argument(
            "--history",
            action=BooleanOptionalAction,
            default=True,
            help="Backfill a year of trend snapshots after seeding (default: yes; the slow part at large scale).",
        )
        parser.add_argument(
            "--stages",
            help=(
                "Comma-separated stages from {" + ",".join(LATE_STAGES) + "}: rebuild only those on the existing "
                "demo (for a demo seeded before they existed); deletes their rows first."
            ),
        )
        parser.add_argument(
            "--show-logins", action="store_true", help="Only print the demo logins table, seed nothing."
        )
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Do not print the logins table after seeding (bin/run-demo prints it once, before it serves).",
        )

    def handle(
        self,
        *args,
        scale,
        seed,
        reset,
        if_empty,
        password,
        progress,
        show_logins,
        no_logins,
        stages,
        history,
        **options,
    ):
        if show_logins:
            self.stdout.write(demo_logins_table(password))
            return
        show_progress = sys.stderr.isatty() if progress is None else progress
        if stages:
            try:
                result = demo_seed_stages(
                    stages=[s.strip() for s in stages.split(",") if s.strip()], seed=seed, progress=show_progress
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            counts = ", ".join(f"{count} {label}" for label, count in result.counts.items())
            self.stdout.write(
                self.style.SUCCESS(f"Seeded {stages} ({result.scale}) in {result.seconds:.1f}s: {counts}.")
            )
            return
        if if_empty and (what := demo_data_present()):
            self.stdout.write(f"Data already exists ({what}); not seeding.")
            return
        self.stdout.write(f"Seeding the {scale} demo (seed {seed})…")
        try:
            result = demo_seed(
                scale=scale,
                seed=seed,
                reset=reset,
                password=password,
                progress=show_progress,
                history=history,
            )
        except DemoDataExistsError as exc:
            raise CommandError(str(exc)) from None
        counts = ", ".join(f"{count} {label}" for label, count in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded in {result.seconds:.1f}s: {counts}."))
        if not no_logins:
            self.stdout.write(demo_logins_table(password))
