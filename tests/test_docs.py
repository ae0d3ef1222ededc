"""The README documents every command-line option and every configuration key, and its example parses."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from pydantic import BaseModel

from etl.cli import build_parser
from etl.config import Config, DigestSettings, FetchSettings, Source, parse_config

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _options(parser: argparse.ArgumentParser) -> set[str]:
    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.add(name)
                found |= _options(sub)
        else:
            found |= {option for option in action.option_strings if option.startswith("--")}
    return found - {"--help", "--version"}


def _keys(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def test_every_command_and_option_is_in_the_readme() -> None:
    missing = sorted(option for option in _options(build_parser()) if option not in README)
    assert missing == []


def test_every_configuration_key_is_in_the_readme() -> None:
    keys = _keys(Source) | _keys(FetchSettings) | _keys(DigestSettings) | _keys(Config)
    missing = sorted(key for key in keys if f"`{key}`" not in README and f"{key}:" not in README)
    assert missing == []


def test_the_readme_example_config_parses() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", README, flags=re.S)
    assert blocks, "the README has a YAML example"
    config = parse_config(blocks[0])
    assert [source.id for source in config.sources] == ["nanjing-fao", "city-news"]
    assert config.digest.to == ("analyst@example.org",)


def test_the_readme_and_example_queries_run_on_a_real_warehouse(tmp_path: Path) -> None:
    from etl.store import Warehouse

    db = tmp_path / "w.duckdb"
    with Warehouse.open(db):
        pass  # an empty, fully migrated warehouse: every view and column the queries name must exist
    queries = re.findall(r"```sql\n(.*?)```", README, flags=re.S)[0].split(";")
    queries += [path.read_text(encoding="utf-8") for path in sorted(QUERIES.glob("*.sql"))]
    with Warehouse.open(db, read_only=True) as warehouse:
        for query in filter(str.strip, queries):
            warehouse.query(query)


QUERIES = Path(__file__).parent.parent / "warehouse" / "queries"
