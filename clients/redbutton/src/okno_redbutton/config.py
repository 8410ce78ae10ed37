"""Where things live and what the client is told: config file, environment, command line.

Precedence: command-line flags, then ``OKNO_REDBUTTON_*`` environment variables, then the
config file (an INI file with an ``[okno]`` section), then defaults.
"""

from __future__ import annotations

import configparser
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .i18n import _

APP = "okno-redbutton"
ENV_PREFIX = "OKNO_REDBUTTON_"
TRUE = {"1", "yes", "true", "on"}


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if sys.platform.startswith("win"):
        return Path(env.get("APPDATA") or Path.home() / "AppData" / "Roaming") / APP
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    return Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config") / APP


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if sys.platform.startswith("win"):
        return Path(env.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / APP
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    return Path(env.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / APP


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / "config.ini"


def default_spool_dir(env: Mapping[str, str] | None = None) -> Path:
    return state_dir(env) / "spool"


def split_hosts(value: str) -> list[str]:
    return [h.strip() for h in value.replace("\n", ",").split(",") if h.strip()]


@dataclass
class Config:
    server: str = ""
    token: str = ""
    hosts: list[str] = field(default_factory=list)
    screenshot: bool = False
    timeout: float = 10.0
    spool_dir: Path = field(default_factory=default_spool_dir)
    config_path: Path | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def reports_url(self) -> str:
        return self.server.rstrip("/") + "/api/v1/redbutton/reports"

    def missing(self) -> list[str]:
        """What is needed to send (not to preview)."""
        needed = []
        if not self.server:
            needed.append("server")
        if not self.token:
            needed.append("token")
        return needed


def _read_file(path: Path, problems: list[str]) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        return {}
    except (OSError, configparser.Error) as exc:
        problems.append(_("cannot read %(path)s: %(error)s") % {"path": path, "error": exc})
        return {}
    if not parser.has_section("okno"):
        problems.append(_("%(path)s has no [okno] section") % {"path": path})
        return {}
    return {key: value.strip() for key, value in parser.items("okno")}


def load(
    *,
    path: str | None = None,
    server: str | None = None,
    token: str | None = None,
    hosts: list[str] | None = None,
    screenshot: bool | None = None,
    spool_dir: str | None = None,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    env = os.environ if env is None else env
    problems: list[str] = []
    config_path = Path(path or env.get(ENV_PREFIX + "CONFIG") or default_config_path(env))
    values = _read_file(config_path, problems)
    for key in ("server", "token", "hosts", "screenshot", "spool_dir", "timeout"):
        if env.get(ENV_PREFIX + key.upper()):
            values[key] = env[ENV_PREFIX + key.upper()]
    config = Config(config_path=config_path, problems=problems)
    config.server = (server or values.get("server", "")).strip()
    config.token = (token or values.get("token", "")).strip()
    config.hosts = list(hosts) if hosts else split_hosts(values.get("hosts", ""))
    if screenshot is not None:
        config.screenshot = screenshot
    else:
        config.screenshot = values.get("screenshot", "").lower() in TRUE
    if spool_dir or values.get("spool_dir"):
        config.spool_dir = Path(spool_dir or values["spool_dir"]).expanduser()
    else:
        config.spool_dir = default_spool_dir(env)
    try:
        config.timeout = float(timeout if timeout is not None else values.get("timeout") or 10)
    except ValueError:
        problems.append(_("timeout must be a number of seconds"))
    if config.server and not config.server.startswith(("http://", "https://")):
        problems.append(_("server must start with https:// (or http:// for a test server)"))
    return config
