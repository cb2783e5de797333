"""Validation of engine input and the dependency network it schedules on.

:func:`build_network` turns :class:`~projects.scheduling.model.TaskIn` and
:class:`~projects.scheduling.model.LinkIn` rows into index-addressed arrays and a topological
order. Links whose successor is a summary task are expanded to every non-summary descendant (a
summary cannot start before its predecessor allows, so neither can any of its subtasks). A link
whose predecessor is a summary stays on the summary node, whose dates roll up from its children;
"child -> parent" edges make every summary come after its subtasks in the order.

The order comes from Kahn's algorithm (iterative, no recursion, O(tasks + links)). If some nodes
are left over they sit on or behind a cycle: walking backwards from one of them along leftover
predecessors must revisit a node, and the revisited stretch is the cycle that is reported.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from projects.scheduling.model import (
    ConstraintType,
    LinkIn,
    LinkType,
    ScheduleCycleError,
    ScheduleInputError,
    TaskId,
    TaskIn,
)

FS, SS, FF, SF = 0, 1, 2, 3
LINK_CODES = {LinkType.FS: FS, LinkType.SS: SS, LinkType.FF: FF, LinkType.SF: SF}

_DATELESS = frozenset({ConstraintType.ASAP, ConstraintType.ALAP})
_CONSTRAINTS = frozenset(ConstraintType)

#: An edge as the passes use it: (other node, link code, lag minutes, lag is elapsed time).
Edge = tuple[int, int, int, bool]


@dataclass(slots=True)
class Network:
    """Index-addressed view of the input. Node ``i`` is ``tasks[i]``."""

    tasks: Sequence[TaskIn]
    index: dict[TaskId, int]
    parent: list[int]  # -1 for top-level tasks
    children: list[list[int]]
    is_summary: list[bool]
    pred_edges: list[list[Edge]]  # into a non-summary task, from a task or summary
    succ_edges: list[list[Edge]]  # the same edges, seen from their predecessor
    out_links: list[list[Edge]]  # links as entered (successor may be a summary), for free slack
    has_link: list[bool]  # any link touches the task as entered
    depth: list[int] = field(default_factory=list)  # 0 for top-level tasks
    order: list[int] = field(default_factory=list)  # topological: predecessors and children first


def _name(task: TaskIn) -> str:
    return f"{task.name!r} ({task.id})" if task.name else repr(task.id)


def build_network(tasks: Sequence[TaskIn], links: Sequence[LinkIn]) -> Network:
    """Validate ``tasks`` and ``links`` and build the network.

    Raises :class:`ScheduleInputError` (duplicate or unknown ids, parent loops, a constraint
    without a date, a negative duration, a manual task without dates, a link from a task to
    itself) or :class:`ScheduleCycleError` (dependency cycle, including a link between a summary
    task and one of its own subtasks).
    """
    n = len(tasks)
    index: dict[TaskId, int] = {}
    for i, task in enumerate(tasks):
        if task.id in index:
            raise ScheduleInputError(f"Task {_name(task)} appears more than once")
        index[task.id] = i
        _check_task(task)

    parent = [-1] * n
    children: list[list[int]] = [[] for _ in range(n)]
    for i, task in enumerate(tasks):
        if task.parent_id is not None:
            p = index.get(task.parent_id)
            if p is None:
                raise ScheduleInputError(f"Task {_name(task)} has unknown parent {task.parent_id!r}")
            parent[i] = p
            children[p].append(i)
    depth = _depths(tasks, parent)
    is_summary = [bool(kids) for kids in children]

    pred_edges: list[list[Edge]] = [[] for _ in range(n)]
    succ_edges: list[list[Edge]] = [[] for _ in range(n)]
    out_links: list[list[Edge]] = [[] for _ in range(n)]
    has_link = [False] * n
    leaves_cache: dict[int, list[int]] = {}
    get = index.get
    for link in links:
        p, q = get(link.predecessor_id), get(link.successor_id)
        if p is None or q is None:
            missing = link.predecessor_id if p is None else link.successor_id
            raise ScheduleInputError(
                f"Link {link.predecessor_id!r} -> {link.successor_id!r} refers to unknown task {missing!r}"
            )
        if p == q:
            raise ScheduleInputError(f"Task {_name(tasks[p])} is linked to itself")
        if is_summary[p] or is_summary[q]:
            for a, b in ((p, q), (q, p)):
                if _is_ancestor(a, b, parent, depth):
                    raise ScheduleCycleError(
                        f"Dependency cycle: summary task {_name(tasks[a])} is linked to its own subtask "
                        f"{_name(tasks[b])}",
                        (tasks[p].id, tasks[q].id, tasks[p].id),
                    )
        code = LINK_CODES.get(link.type)
        if code is None:
            raise ScheduleInputError(f"Link {link.predecessor_id!r} -> {link.successor_id!r}: type {link.type!r}")
        lag = link.lag_minutes
        if link.lag_percent is not None:
            lag = round(tasks[p].duration_minutes * link.lag_percent / 100)
        edge_in = (p, code, lag, link.lag_elapsed)
        has_link[p] = has_link[q] = True
        out_links[p].append((q, code, lag, link.lag_elapsed))
        if is_summary[q]:
            for target in _leaves(q, children, leaves_cache):
                pred_edges[target].append(edge_in)
                succ_edges[p].append((target, code, lag, link.lag_elapsed))
        else:
            pred_edges[q].append(edge_in)
            succ_edges[p].append(out_links[p][-1])

    network = Network(tasks, index, parent, children, is_summary, pred_edges, succ_edges, out_links, has_link)
    network.depth = depth
    network.order = _topological_order(network)
    return network


def _check_task(task: TaskIn) -> None:
    if task.duration_minutes < 0 or task.split_minutes < 0:
        raise ScheduleInputError(f"Task {_name(task)}: duration and split must not be negative")
    constraint = task.constraint_type
    if constraint not in _DATELESS:
        if constraint not in _CONSTRAINTS:
            raise ScheduleInputError(f"Task {_name(task)}: unknown constraint {constraint!r}")
        if task.constraint_date is None:
            raise ScheduleInputError(f"Task {_name(task)}: constraint {constraint} needs a constraint date")
    if task.is_manual and (task.manual_start is None or task.manual_finish is None):
        raise ScheduleInputError(f"Task {_name(task)}: a manually scheduled task needs its start and finish")
    if not 0 <= task.percent_complete <= 100:
        raise ScheduleInputError(f"Task {_name(task)}: percent complete must be within 0-100")
    if task.constraint_date or task.actual_start or task.actual_finish or task.deadline or task.manual_start:
        dates = (task.constraint_date, task.actual_start, task.actual_finish, task.deadline, task.manual_start)
        for value in (*dates, task.manual_finish):
            if value is not None and value.tzinfo is not None:
                raise ScheduleInputError(f"Task {_name(task)}: dates must be naive local datetimes, got {value}")


def _depths(tasks: Sequence[TaskIn], parent: list[int]) -> list[int]:
    """Depth of each task in the outline; raises on a parent loop. Iterative, memoised."""
    depth = [-1] * len(tasks)
    for start in range(len(tasks)):
        chain: list[int] = []
        node = start
        while node != -1 and depth[node] == -1:
            if len(chain) > len(tasks):
                raise ScheduleInputError(f"Task {_name(tasks[start])} is its own ancestor")
            chain.append(node)
            node = parent[node]
        base = -1 if node == -1 else depth[node]
        for offset, member in enumerate(reversed(chain), start=1):
            depth[member] = base + offset
    return depth


def _is_ancestor(a: int, b: int, parent: list[int], depth: list[int]) -> bool:
    """True if ``a`` is a proper ancestor of ``b``."""
    if depth[a] >= depth[b]:
        return False
    while depth[b] > depth[a]:
        b = parent[b]
    return a == b


def _leaves(node: int, children: list[list[int]], cache: dict[int, list[int]]) -> list[int]:
    """Non-summary descendants of ``node`` (iterative)."""
    if node in cache:
        return cache[node]
    found: list[int] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if children[current]:
            stack.extend(reversed(children[current]))
        else:
            found.append(current)
    cache[node] = found
    return found


def _topological_order(net: Network) -> list[int]:
    n = len(net.tasks)
    indegree = [len(edges) for edges in net.pred_edges]
    for i in range(n):
        if net.is_summary[i]:
            indegree[i] += len(net.children[i])
    queue = deque(i for i in range(n) if indegree[i] == 0)
    order: list[int] = []
    succ_edges, parent = net.succ_edges, net.parent
    while queue:
        node = queue.popleft()
        order.append(node)
        for target, _code, _lag, _elapsed in succ_edges[node]:
            indegree[target] -= 1
            if indegree[target] == 0:
                queue.append(target)
        up = parent[node]
        if up != -1:
            indegree[up] -= 1
            if indegree[up] == 0:
                queue.append(up)
    if len(order) < n:
        _raise_cycle(net, indegree)
    return order


def _raise_cycle(net: Network, indegree: list[int]) -> None:
    """Find one cycle among the nodes Kahn could not order and raise it, named."""
    left = {i for i, count in enumerate(indegree) if count > 0}
    node = min(left)
    seen: dict[int, int] = {}
    walk: list[int] = []
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        # Every leftover node has a leftover predecessor: a linked task or, for a summary, a child.
        sources = [p for p, *_ in net.pred_edges[node]] + net.children[node]
        node = next(p for p in sources if p in left)
    cycle = list(reversed(walk[seen[node] :]))
    cycle.append(cycle[0])
    names = " -> ".join(_name(net.tasks[i]) for i in cycle)
    raise ScheduleCycleError(f"Dependency cycle: {names}", tuple(net.tasks[i].id for i in cycle))


def leaves_of(net: Network, node: int) -> list[int]:
    """Non-summary descendants of ``node`` in outline order (``[node]`` for a leaf)."""
    return _leaves(node, net.children, {})
