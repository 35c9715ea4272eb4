"""Conditions that point elsewhere: named conditions (``use: NAME``) and other rules (``rule: ID``).

Both are settled when the rules are loaded, so a rule pack with a dangling or circular reference
fails with the file, line and rule ID instead of giving findings that silently never fire:

* ``use: NAME`` is replaced by the file's named condition (names are per file), so the compiled
  tree, the engines, the checklist and the docs only ever see plain conditions;
* ``rule: ID`` must name a rule of the loaded catalogue, and no rule may reach itself through such
  references. The catalogue is then decided in a dependency order (``decision_order``) computed
  once per catalogue, so a referenced rule's status is known before any rule that reads it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .errors import InputError
from .rules import Condition, LoadedRule, RetiredRule, Rule, RuleFile
from .suggest import closest
from .yamlio import LoadedYaml, PathKey, dotted_path

T = TypeVar("T")


def walk(condition: Condition, path: PathKey) -> Iterator[tuple[Condition, PathKey]]:
    """Every node of a condition with its path in the rule file (the model mirrors the YAML)."""
    yield condition, path
    for kind in ("all", "any", "of"):
        for index, child in enumerate(getattr(condition, kind) or []):
            yield from walk(child, (*path, kind, index))


def _rule_conditions(rule: Rule, index: int) -> Iterator[tuple[Condition, PathKey]]:
    yield rule.condition, ("rules", index, "condition")
    if rule.applies_if is not None:
        yield rule.applies_if, ("rules", index, "applies_if")


def _error(parsed: LoadedYaml, path: PathKey, message: str, hint: str | None = None) -> InputError:
    position = parsed.locate(path)
    return InputError(
        source=parsed.source,
        line=position[0] if position else None,
        column=position[1] if position else None,
        field=dotted_path(path),
        message=message,
        hint=hint,
    )


# --- cycles and order ---------------------------------------------------------------------------


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One cycle per set of mutually reachable nodes, from its smallest node back to it (``[a, b, a]``).

    Reachability by breadth-first search from every node: catalogues hold hundreds of rules at most,
    and, unlike a recursive search, it cannot exhaust the stack on a long chain of references.
    """
    reach = {node: _reachable(graph, node) for node in graph}
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in sorted(graph):
        if start in done or start not in reach[start]:
            continue
        done |= {node for node in reach[start] if start in reach.get(node, set())}
        cycles.append(_shortest_path_back(graph, start))
    return cycles


def _reachable(graph: dict[str, list[str]], start: str) -> set[str]:
    seen: set[str] = set()
    queue = deque(graph.get(start, []))
    while queue:
        node = queue.popleft()
        if node not in seen:
            seen.add(node)
            queue.extend(graph.get(node, []))
    return seen


def _shortest_path_back(graph: dict[str, list[str]], start: str) -> list[str]:
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(graph.get(node, [])):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    raise ValueError(f"{start} is on no cycle")


def decision_order(items: Sequence[T], key: Callable[[T], str], depends_on: Callable[[T], list[str]]) -> list[T]:
    """``items`` reordered so that each comes after everything it depends on, otherwise keeping their order.

    The loader has refused cycles and references to unknown rules; meeting either here is a bug.
    """
    by_key = {key(item): item for item in items}
    placed: set[str] = set()
    order: list[T] = []
    for item in items:
        stack = [(item, iter(depends_on(item)))]
        on_stack = {key(item)}
        while stack:
            current, pending = stack[-1]
            for dependency in pending:
                if dependency not in by_key:
                    raise ValueError(f"{key(current)} refers to {dependency}, which is not in the catalogue")
                if dependency in placed:
                    continue
                if dependency in on_stack:
                    raise ValueError(f"cycle through {dependency}")
                stack.append((by_key[dependency], iter(depends_on(by_key[dependency]))))
                on_stack.add(dependency)
                break
            else:
                stack.pop()
                if key(current) not in placed:
                    placed.add(key(current))
                    order.append(current)
    return order


# --- named conditions (use: NAME) ---------------------------------------------------------------


def expand_named(rule_file: RuleFile, parsed: LoadedYaml) -> tuple[RuleFile, list[InputError]]:
    """The file with every ``use: NAME`` replaced by its named condition; or, with the errors that
    prevent it, the file as it is (its rules still count as loaded, so that references to them from
    other files are not reported as unknown as well)."""
    named = rule_file.conditions
    names = sorted(named)
    errors: list[InputError] = []

    def unknown(owner: str, name: str, path: PathKey) -> InputError:
        suggestion = closest(name, names)
        hint = f"did you mean {suggestion!r}?" if suggestion else ("named here: " + ", ".join(names) if names else None)
        return _error(parsed, (*path, "use"), f"{owner}: no named condition {name!r} in this file's conditions", hint)

    graph: dict[str, list[str]] = {}
    for name, condition in named.items():
        graph[name] = []
        for node, path in walk(condition, ("conditions", name)):
            if node.use is None:
                continue
            if node.use in named:
                graph[name].append(node.use)
            else:
                errors.append(unknown(f"named condition {name!r}", node.use, path))
    users: dict[str, list[str]] = {}  # rule ID -> the names it uses, directly or through other names
    for index, rule in enumerate(rule_file.rules):
        direct = []
        for condition, root in _rule_conditions(rule, index):
            for node, path in walk(condition, root):
                if node.use is None:
                    continue
                if node.use in named:
                    direct.append(node.use)
                else:
                    errors.append(unknown(f"rule {rule.id}", node.use, path))
        users[rule.id] = sorted({*direct, *(n for d in direct for n in _reachable(graph, d))})
    for cycle in find_cycles(graph):
        affected = [rule_id for rule_id, used in users.items() if set(used) & set(cycle)]
        message = f"named condition {cycle[0]!r}: cycle: {' -> '.join(cycle)}"
        if affected:
            message += f" (used by rule{'s' if len(affected) > 1 else ''} {', '.join(affected)})"
        errors.append(_error(parsed, ("conditions", cycle[0]), message, "a named condition cannot use itself, directly or through others"))
    if errors:
        return rule_file, errors

    expanded: dict[str, Condition] = {}

    def expand(condition: Condition) -> Condition:
        if condition.use is not None:
            if condition.use not in expanded:
                expanded[condition.use] = expand(named[condition.use])
            return expanded[condition.use].as_named(condition.use)
        for kind in ("all", "any", "of"):
            children = getattr(condition, kind)
            if children is not None:
                return condition.model_copy(update={kind: [expand(child) for child in children]})
        return condition

    rules = [
        rule.model_copy(
            update={"condition": expand(rule.condition), "applies_if": expand(rule.applies_if) if rule.applies_if is not None else None}
        )
        for rule in rule_file.rules
    ]
    return rule_file.model_copy(update={"rules": rules}), []


# --- references to rules (rule: ID) -------------------------------------------------------------


@dataclass(frozen=True)
class RuleReference:
    """Where a file refers to a rule: checked once every file of the catalogue is loaded."""

    owner: str  # "rule ORG-001" or "named condition 'base'"
    target: str
    error_at: InputError  # the location, with an empty message, to fill in


def rule_references(rule_file: RuleFile, parsed: LoadedYaml) -> list[RuleReference]:
    """Every ``rule: ID`` of a file, in rules and in named conditions, before ``use`` is expanded."""
    found: list[RuleReference] = []
    roots: list[tuple[str, Condition, PathKey]] = [
        (f"named condition {name!r}", condition, ("conditions", name)) for name, condition in rule_file.conditions.items()
    ]
    roots += [(f"rule {rule.id}", c, path) for index, rule in enumerate(rule_file.rules) for c, path in _rule_conditions(rule, index)]
    for owner, condition, root in roots:
        for node, path in walk(condition, root):
            if node.rule is not None:
                found.append(RuleReference(owner, node.rule, _error(parsed, (*path, "rule"), "")))
    return found


def reference_errors(references: list[RuleReference], live: dict[str, LoadedRule], retired: dict[str, RetiredRule]) -> list[InputError]:
    """A ``rule:`` element must name a rule of the loaded catalogue (built-in rules and every pack)."""
    errors = []
    for ref in references:
        if ref.target in live:
            continue
        if ref.target in retired:
            successors = retired[ref.target].replaced_by
            message = f"{ref.owner}: refers to rule {ref.target}, which is retired"
            hint = f"refer to its successor {', '.join(successors)}" if successors else "it has no successor; remove the reference"
        else:
            suggestion = closest(ref.target, sorted(live))
            message = f"{ref.owner}: refers to rule {ref.target}, which is not in the loaded catalogue"
            hint = f"did you mean {suggestion!r}?" if suggestion else "load the pack that holds it with --rules"
        errors.append(InputError(**{**ref.error_at.__dict__, "message": message, "hint": hint}))
    return errors


def cycle_errors(live: dict[str, LoadedRule]) -> list[InputError]:
    """No rule may reach its own finding through ``rule:`` references."""
    graph = {rule_id: [ref for ref in loaded.rule.references() if ref in live] for rule_id, loaded in live.items()}
    errors = []
    for cycle in find_cycles(graph):
        first = live[cycle[0]]
        elsewhere = [f"{rule_id} in {live[rule_id].source}" for rule_id in dict.fromkeys(cycle) if live[rule_id].source != first.source]
        errors.append(
            InputError(
                source=first.source,
                line=first.line,
                message=f"rule {first.id}: cycle: {' -> '.join(cycle)}" + (f" ({'; '.join(elsewhere)})" if elsewhere else ""),
                hint="a rule cannot depend on its own finding; break the chain of rule: references",
            )
        )
    return errors
