"""Who a schedule file's resources are in the pool: staffing's side of
projects.services.resource_matching (registered in staffing.apps.StaffingConfig.ready).

A resource of a project's schedule (projects.ScheduleResource) is matched to one active Person
of the project's portfolio pool, or to one active Role (a generic resource: "Engineer"), or to
nobody. Automatic matching, in this order, never guessing between two candidates:

1. a person whose e-mail equals the resource's (case-insensitive);
2. a person whose name equals the resource's (case and spacing ignored), when only one has it;
3. a role whose name or code equals the resource's name.

A choice a user made in the import preview (`basis` "chosen") is kept by later imports; the
automatic ones are redone each import, so a person added to the pool since is found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError

from projects.services.resource_matching import UNMATCHED, MatchOption

from .models import Person, ResourceMatch, Role

NOT_IN_POOL = "Resource {name}: choose a person or role of the project's resource pool, or leave it unmatched."


def _key(text: str) -> str:
    return " ".join((text or "").casefold().split())


def _pool(project) -> tuple[list[Person], list[Role]]:
    portfolio_id = project.program.portfolio_id
    people = list(Person.objects.filter(portfolio_id=portfolio_id, is_active=True).order_by("name", "pk"))
    roles = list(Role.objects.filter(portfolio_id=portfolio_id, is_active=True).order_by("name", "pk"))
    return people, roles


class StaffingResourceMatcher:
    """The implementation of projects.services.resource_matching.ResourceMatcher."""

    def options(self, project) -> list[MatchOption]:
        people, roles = _pool(project)
        return [
            *(MatchOption(f"person:{p.pk}", f"{p.name} <{p.email}>" if p.email else p.name, "People") for p in people),
            *(MatchOption(f"role:{r.pk}", f"{r.name} (role)", "Roles") for r in roles),
        ]

    def apply(self, project, resources: Sequence, chosen: Mapping[str, str] | None) -> None:
        people, roles = _pool(project)
        person_by_pk, role_by_pk = {p.pk: p for p in people}, {r.pk: r for r in roles}
        by_email: dict[str, list[Person]] = {}
        by_name: dict[str, list[Person]] = {}
        for p in people:
            if p.email:
                by_email.setdefault(p.email.casefold(), []).append(p)
            by_name.setdefault(_key(p.name), []).append(p)
        role_by_name: dict[str, list[Role]] = {}
        for r in roles:
            for key in {_key(r.name), _key(r.code)}:
                role_by_name.setdefault(key, []).append(r)
        existing = {m.resource_id: m for m in ResourceMatch.objects.filter(resource__in=[r.pk for r in resources])}
        rows = []
        for resource in resources:
            match = existing.get(resource.pk) or ResourceMatch(resource=resource)
            if chosen is not None and resource.external_ref in chosen:
                choice = chosen[resource.external_ref]
                match.person, match.role = self._parse(choice, resource, person_by_pk, role_by_pk)
                match.basis = ResourceMatch.Basis.CHOSEN
            elif match.pk and match.basis == ResourceMatch.Basis.CHOSEN:
                pass  # the user's choice stands
            else:
                match.person, match.role, match.basis = None, None, ResourceMatch.Basis.NONE
                emailed = by_email.get(resource.email.casefold(), []) if resource.email else []
                named = by_name.get(_key(resource.name), [])
                role = role_by_name.get(_key(resource.name), [])
                if len(emailed) == 1:
                    match.person, match.basis = emailed[0], ResourceMatch.Basis.EMAIL
                elif len(named) == 1:
                    match.person, match.basis = named[0], ResourceMatch.Basis.NAME
                elif len(role) == 1 and resource.type == "work":
                    match.role, match.basis = role[0], ResourceMatch.Basis.ROLE_NAME
            rows.append(match)
        ResourceMatch.objects.bulk_create([m for m in rows if m.pk is None])
        ResourceMatch.objects.bulk_update([m for m in rows if m.pk is not None], ["person", "role", "basis"])

    @staticmethod
    def _parse(value: str, resource, people: dict, roles: dict):
        if value == UNMATCHED:
            return None, None
        kind, _, pk = value.partition(":")
        if pk.isdigit():
            if kind == "person" and int(pk) in people:
                return people[int(pk)], None
            if kind == "role" and int(pk) in roles:
                return None, roles[int(pk)]
        raise ValidationError({"resources": NOT_IN_POOL.format(name=resource.name)})

    def current(self, project, resources: Sequence) -> dict[int, tuple[str, str]]:
        """(choice, basis) of each resource by pk: ("", "") when it has no match."""
        found = {}
        for resource_id, person_id, role_id, basis in ResourceMatch.objects.filter(
            resource__in=[r.pk for r in resources]
        ).values_list("resource_id", "person_id", "role_id", "basis"):
            value = f"person:{person_id}" if person_id else f"role:{role_id}" if role_id else UNMATCHED
            found[resource_id] = (value, basis)
        return found
