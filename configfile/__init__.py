"""One loader for every YAML configuration file: line numbers kept, contents validated by pydantic.

Every problem is reported as ``file:line: key: what is wrong``, all of a file's problems at once::

    settings = load_yaml_config(path, Settings, what="settings")
    # ConfigFileError: rendering/settings.yaml:12: routing.long_hold_seconds: Input should be ...
"""

from configfile.loader import (
    ConfigFileError,
    ConfigProblem,
    ConfigValueError,
    Loc,
    Located,
    dotted,
    load_yaml_config,
    parse_yaml,
    problem_message,
    validation_problems,
)

__all__ = [
    "ConfigFileError",
    "ConfigProblem",
    "ConfigValueError",
    "Loc",
    "Located",
    "dotted",
    "load_yaml_config",
    "parse_yaml",
    "problem_message",
    "validation_problems",
]
