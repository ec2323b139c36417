"""Explainable triage: rules are data (ivr_scripts/triage.yaml), every priority comes with its reasons.

Pure: no database, no logging of message texts. See docs/triage.md for the policy and the rule file format.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from tipline.triage.engine import assess
from tipline.triage.model import PRIORITIES, Category, Priority, Reason, TriageResult, TriageRules
from tipline.triage.rules import RuleFileError, check_rules_file, load_rules, parse_rules

RULES_FILE_NAME = "triage.yaml"

__all__ = [
    "PRIORITIES",
    "Category",
    "Priority",
    "Reason",
    "RuleFileError",
    "TriageResult",
    "TriageRules",
    "assess",
    "check_rules_file",
    "default_rules",
    "default_rules_path",
    "load_rules",
    "parse_rules",
]


def default_rules_path() -> Path:
    """ivr_scripts/triage.yaml, under $TIPLINE_SCRIPTS_DIR when set, else next to the package."""
    scripts_dir = os.environ.get("TIPLINE_SCRIPTS_DIR")
    base = Path(scripts_dir) if scripts_dir else Path(__file__).resolve().parents[2] / "ivr_scripts"
    return base / RULES_FILE_NAME


@lru_cache(maxsize=1)
def default_rules() -> TriageRules:
    """The deployed rule file, loaded once per process. ``default_rules.cache_clear()`` reloads it."""
    return load_rules(default_rules_path())
