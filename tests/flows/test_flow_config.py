"""The flow's YAML defaults and the Prefect project file stay valid and consistent."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import yaml
from prefect.schedules import Cron

from flows.config import DEFAULT_CONFIG_PATH, FlowConfigError, load_flow_config
from flows.nightly import nightly_review

REPO = Path(__file__).resolve().parents[2]


def test_shipped_defaults() -> None:
    config = load_flow_config()
    assert config.batch_size == 100
    assert config.io_retries == 2
    assert config.schedule.cron == "0 2 * * *"
    assert config.schedule.timezone == "Europe/Berlin"
    assert config.work_path(Path("/srv/out")) == Path("/srv/out/.qareview-work")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("batch_size: 200\nbatchsize: 5\n", "batchsize"),
        ("batch_size: 0\n", "batch_size"),
        ("dask: {workers: 2, thread_per_worker: 1}\n", "thread_per_worker"),
        ("- just\n- a list\n", "mapping"),
        ("batch_size: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_config_fails_naming_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "nightly.yaml"
    path.write_text(text)
    with pytest.raises(FlowConfigError, match=message) as caught:
        load_flow_config(path)
    assert str(path) in str(caught.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(FlowConfigError, match="cannot read"):
        load_flow_config(tmp_path / "absent.yaml")


def test_prefect_yaml_matches_the_flow() -> None:
    project = yaml.safe_load((REPO / "prefect.yaml").read_text())
    [deployment] = project["deployments"]
    path, _, name = deployment["entrypoint"].partition(":")
    assert (REPO / path).is_file()
    assert name == nightly_review.fn.__name__
    accepted = set(inspect.signature(nightly_review.fn).parameters)
    assert set(deployment["parameters"]) <= accepted
    [schedule] = deployment["schedules"]
    shipped = load_flow_config(DEFAULT_CONFIG_PATH).schedule
    assert (schedule["cron"], schedule["timezone"]) == (shipped.cron, shipped.timezone)
    Cron(schedule["cron"], timezone=schedule["timezone"])  # valid cron and zone
    assert project["prefect-version"].startswith("3.")
