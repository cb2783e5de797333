"""Static checks over every template file Django can load."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

# Django's `{# … #}` comment ends on its own line: a `{#` whose `#}` is on a later line is not a
# comment at all, and its text is printed on the page. Multi-line comments use {% comment %}.
UNCLOSED_COMMENT = re.compile(r"\{#(?!.*#\})")


def template_files() -> list[Path]:
    roots = [Path(directory) for engine in settings.TEMPLATES for directory in engine["DIRS"]]
    # Keel's own apps (not the installed packages'), whether or not they have a templates folder.
    roots += [
        Path(config.path, "templates")
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
    ]
    return sorted({path for root in roots if root.is_dir() for path in root.rglob("*.html")})


def test_template_files_are_found():
    assert any(path.name == "base.html" for path in template_files())


def test_no_template_opens_a_comment_it_does_not_close_on_the_same_line():
    unclosed = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
        for path in template_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if UNCLOSED_COMMENT.search(line)
    ]
    assert unclosed == [], "a {# comment must close on its own line; use {% comment %}:\n" + "\n".join(unclosed)


def test_login_page_shows_no_template_comment_text(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "{#" not in response.text
    assert "htmx swaps those in like a success" not in response.text
