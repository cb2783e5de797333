"""The columns of the project and program list downloads (core.exports, `?export=csv|xlsx`), and
the querysets that load what they read in one query per chunk of rows.

Computed health is the roll-up's (reporting.models), never recomputed here. The program list
exports no money: program-wide figures are only for those who oversee the program."""

from core.exports import Column, attr, display, user_name
from portfolio.selectors import program_health

PROJECT_COLUMNS = [
    Column("Code", attr("code")),
    Column("Name", attr("name")),
    Column("Program", attr("program.code")),
    Column("Computed health", display("rollup.health_overall")),
    Column("Latest RAG", display("latest_status_report.overall_rag")),
    Column("Complete (reported) %", attr("latest_status_report.percent_complete"), "percent"),
    Column("Last report", attr("latest_status_report.period_end"), "date"),
    Column("Manager", user_name("manager")),
    Column("Status", display("status")),
    Column("Phase", display("phase")),
    Column("Priority", display("priority")),
    Column("Start", attr("planned_start"), "date"),
    Column("Finish", attr("planned_finish"), "date"),
    Column("Forecast finish", attr("rollup.forecast_finish"), "date"),
    Column("P80 finish (simulated)", attr("rollup.p80_finish"), "date"),
]

PROGRAM_COLUMNS = [
    Column("Code", attr("code")),
    Column("Name", attr("name")),
    Column("Portfolio", attr("portfolio.code")),
    Column("Manager", user_name("manager")),
    Column("Sponsor", user_name("sponsor")),
    Column("Status", display("status")),
    Column("Computed health", display("rollup.health_overall")),
    Column("Reported health", lambda program: (program_health(program) or "").capitalize() or None),
    Column("Open projects", attr("open_count"), "int"),
    Column("Red", attr("red_count"), "int"),
    Column("Amber", attr("amber_count"), "int"),
    Column("Green", attr("green_count"), "int"),
    Column("Closed projects", attr("closed_count"), "int"),
    Column("Last report", attr("last_report_date"), "date"),
    Column("P80 finish (simulated)", attr("rollup.p80_finish"), "date"),
]


def project_export_rows(projects):
    """The project list's queryset with each row's roll-up joined (the columns above read it)."""
    return projects.select_related("rollup")


def program_export_rows(programs):
    """The program list's queryset (program_list_filtered) with sponsor and roll-up joined."""
    return programs.select_related("sponsor", "rollup")
