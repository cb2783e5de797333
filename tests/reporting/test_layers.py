"""Imports run one way: reporting reads the domains, no domain imports reporting, and the
portfolio app reads no other domain's selectors (the pages combining them are in reporting).
collab and planning sit between the domains and reporting, and do not import each other."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = ["portfolio", "projects", "budgets", "risks", "staffing", "governance"]


def imported_modules(app: str) -> set[tuple[str, str]]:
    """(file, top-level package) for every import in the app's Python files."""
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add((str(path.relative_to(ROOT)), node.module.split(".")[0]))
            elif isinstance(node, ast.Import):
                found.update((str(path.relative_to(ROOT)), alias.name.split(".")[0]) for alias in node.names)
    return found


@pytest.mark.parametrize("app", DOMAINS)
def test_no_domain_imports_reporting(app):
    assert [f for f, module in imported_modules(app) if module == "reporting"] == []


@pytest.mark.parametrize("app", [*DOMAINS, "core"])
def test_no_domain_imports_collab(app):
    """collab reads the domains' objects (comments, attachments on them); no domain imports it."""
    assert [f for f, module in imported_modules(app) if module == "collab"] == []


@pytest.mark.parametrize("app", [*DOMAINS, "core", "collab"])
def test_no_lower_app_imports_planning(app):
    """planning sits beside collab above the domains: it reads and writes them through their
    selectors and services; no domain (nor core, nor collab) imports it."""
    assert [f for f, module in imported_modules(app) if module == "planning"] == []


def test_planning_imports_no_reporting_demo_or_collab():
    found = imported_modules("planning")
    assert sorted(f"{f}: {m}" for f, m in found if m in {"reporting", "demo", "collab", "config"}) == []


def test_collab_imports_no_reporting():
    assert [f for f, module in imported_modules("collab") if module in {"reporting", "demo"}] == []


def test_portfolio_imports_no_other_domains_reads():
    others = {"budgets", "risks", "staffing", "governance"}
    assert sorted(f"{f}: {m}" for f, m in imported_modules("portfolio") if m in others) == []


def test_budgets_imports_no_staffing():
    """staffing imports budgets (fiscal calendars, rates); budgets takes the labour forecast as a
    parameter from reporting, so the two never import each other in a cycle."""
    assert sorted(f"{f}: {m}" for f, m in imported_modules("budgets") if m == "staffing") == []


@pytest.mark.parametrize("app", [*DOMAINS, "core"])
def test_no_domain_imports_access(app):
    """access (user administration, single sign-on) grants roles through portfolio.services;
    no domain imports it."""
    assert [f for f, module in imported_modules(app) if module == "access"] == []


@pytest.mark.parametrize("app", [*DOMAINS, "core"])
def test_no_domain_imports_integrations_or_history(app):
    """integrations (webhooks, listening to core.events) and history (the readable audit log) sit
    above the domains beside collab: the domains raise events through core and never import them."""
    assert [f for f, module in imported_modules(app) if module in {"integrations", "history"}] == []


@pytest.mark.parametrize("app", ["integrations", "history"])
def test_integrations_and_history_import_no_reporting(app):
    assert [f for f, module in imported_modules(app) if module in {"reporting", "demo"}] == []
