"""Generated narrative: a deterministic summary of what changed since the previous period
(milestones slipped, computed-health and reported-RAG changes, new high risks, cost variance
moves, change requests approved), each sentence linking to the records behind it.

Contract (pages call these; the bodies are filled in by the narrative work):
- `portfolio_narrative(*, user, portfolio, today=None) -> Narrative`
- `program_narrative(*, user, program, today=None) -> Narrative`
- `project_narrative(*, user, project, today=None) -> Narrative`
Each issues a fixed number of queries whatever the data size. Figures summed over a program or
portfolio appear only for readers who see it whole (Program.overseen_by), as on every page.
Templates render a Narrative with `{% include "reporting/_narrative.html" with narrative=... %}`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence. `parts` alternate plain text and links: each part is (text, url or "")."""

    parts: tuple[tuple[str, str], ...]
    kind: str = ""  # "milestone", "health", "rag", "risk", "cost", "change_request"

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)


@dataclass(frozen=True, slots=True)
class Narrative:
    """What changed between `since` and `until` (both inclusive days), newest first by kind."""

    since: dt.date | None
    until: dt.date | None
    sentences: tuple[Sentence, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


def _empty(today: dt.date | None) -> Narrative:
    return Narrative(since=None, until=today, sentences=())


def portfolio_narrative(*, user, portfolio, today: dt.date | None = None) -> Narrative:
    return _empty(today)


def program_narrative(*, user, program, today: dt.date | None = None) -> Narrative:
    return _empty(today)


def project_narrative(*, user, project, today: dt.date | None = None) -> Narrative:
    return _empty(today)
