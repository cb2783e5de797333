"""The columns of the risk register and issue list downloads (core.exports, `?export=csv|xlsx`).
The registers' querysets (risks.selectors risk_list / issue_list) load every link read here."""

from core.exports import Column, attr, display, user_name

from .models import Risk

RISK_COLUMNS = [
    Column("Ref", attr("reference")),
    Column("Title", attr("title")),
    Column("Program", attr("program.code")),
    Column("Project", attr("project.code")),
    Column("Category", display("category")),
    Column("Probability (1-5)", attr("probability"), "int"),
    Column("Impact (1-5)", attr("impact"), "int"),
    Column("Score", attr("score"), "int"),
    Column("Band", lambda risk: Risk.Band(risk.band).label if risk.band else None),
    Column("Residual score", attr("residual_score"), "int"),
    Column("Cost impact", attr("cost_impact"), "money"),
    Column("EMV", attr("emv"), "money"),
    Column("Schedule impact (days)", attr("schedule_impact_days"), "int"),
    Column("Owner", user_name("owner")),
    Column("Response", display("response")),
    Column("Status", display("status")),
    Column("Proximity", attr("proximity_date"), "date"),
    Column("Escalated", attr("escalated_at"), "datetime"),
]

ISSUE_COLUMNS = [
    Column("Ref", attr("reference")),
    Column("Title", attr("title")),
    Column("Program", attr("program.code")),
    Column("Project", attr("project.code")),
    Column("Severity", display("severity")),
    Column("Status", display("status")),
    Column("Owner", user_name("owner")),
    Column("Due", attr("due_date"), "date"),
    Column("Resolved on", attr("resolved_on"), "date"),
    Column("From risk", attr("risk.reference")),
    Column("Reserve drawn", attr("reserve_transaction.amount"), "money"),
    Column("Resolution", attr("resolution")),
]
