"""Loading and checking the scripts in `ivr_scripts/`: what `tipline scripts check` and the app call."""

from __future__ import annotations

from pathlib import Path

from tipline.flows.errors import Problem, ScriptError
from tipline.flows.loader import load_resources, parse_script, read_yaml
from tipline.flows.model import Resource, Script
from tipline.flows.validate import check_resources, validate_script

SCRIPT_FILES = ("voice.yaml", "sms.yaml")
RESOURCES_FILE = "resources.yaml"


def load_script(path: Path, *, resources: tuple[Resource, ...] | None = None) -> Script:
    """Load and validate one script. Raises ScriptError listing every problem found.

    The resource directory is read from `resources.yaml` next to the script when the script lists resources
    and `resources` is not given.
    """
    script, problems = _load(path, resources)
    if problems or script is None:
        raise ScriptError(problems or [Problem(path.name, None, "could not be loaded")])
    return script


def check_scripts(directory: Path) -> list[Problem]:
    """Every problem in the voice script, the SMS script and the resource directory of `directory`."""
    resources, problems = load_resources(directory / RESOURCES_FILE)
    problems += check_resources(resources, RESOURCES_FILE)
    for name in SCRIPT_FILES:
        _, found = _load(directory / name, resources)
        problems += found
    return problems


def _load(path: Path, resources: tuple[Resource, ...] | None) -> tuple[Script | None, list[Problem]]:
    raw, problems = read_yaml(path)
    if problems:
        return None, problems
    if resources is None:
        resources = ()
        nodes = raw.get("nodes") if isinstance(raw, dict) else None
        if isinstance(nodes, dict) and any(
            isinstance(node, dict) and node.get("kind") == "resources" for node in nodes.values()
        ):
            resources, problems = load_resources(path.parent / RESOURCES_FILE)
            if problems:
                return None, problems
    script, problems = parse_script(raw, path.name, resources)
    if script is None or problems:
        return None, problems
    problems = validate_script(script)
    return (None if problems else script), problems
