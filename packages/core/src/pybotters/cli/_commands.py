"""The sub-commands of ``pybotters``."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from typing import Any

from . import CommandError, check_url

__all__ = ["add_all"]


def add_all(commands: Any) -> None:
    plugins = commands.add_parser("plugins", help="list installed exchange plugins")
    plugins.add_argument("--json", action="store_true", help="print JSON records")
    plugins.add_argument("--check", action="store_true", help="exit 1 if any plugin failed to load")
    plugins.set_defaults(handler=cmd_plugins)

    fetch = commands.add_parser("fetch", help="send one (signed) HTTP request, print the JSON")
    fetch.add_argument("method", help="HTTP method, e.g. GET or POST")
    fetch.add_argument("url", help="absolute URL, e.g. https://api.bitflyer.com/v1/getticker")
    fetch.add_argument(
        "--params",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="query parameters",
    )
    fetch.add_argument("--data", help="JSON body, e.g. '{\"size\": 0.01}'")
    fetch.add_argument(
        "--apis", help="credentials JSON file (default: ./apis.json, $PYBOTTERS_APIS)"
    )
    fetch.set_defaults(handler=cmd_fetch)

    from . import _streams

    _streams.add(commands)


# -- plugins ---------------------------------------------------------------------------------


def cmd_plugins(args: argparse.Namespace) -> int:
    from .._plugins import host, list_plugins

    records = list_plugins()
    if args.json:
        print(json.dumps(records, indent=2))
    else:
        if not records:
            print("no exchange plugins installed (pip install 'pybotters-core[all]')")
        for record in records:
            dist = record["distribution"] or record["name"]
            version = f" {record['version']}" if record["version"] else ""
            print(f"{dist}{version}  [{record['status']}]  entry point: {record['name']}")
            if record["reason"]:
                print(f"    reason: {record['reason']}")
            for ex in record["exchanges"]:
                print(f"    exchange {ex['name']} (plugin API {ex['plugin_api']})")
                print(f"      API names: {', '.join(ex['api_names']) or '-'}")
                print(f"      HTTP hosts: {', '.join(ex['http_hosts']) or '-'}")
                print(f"      WebSocket hosts: {', '.join(ex['ws_hosts']) or '-'}")
                print(f"      DataStoreCollections: {', '.join(ex['stores']) or '-'}")
        for lines in host.pm.hook.pybotters_report_header():
            for line in lines:
                print(line)
    if args.check and any(r["status"] in ("failed", "incompatible") for r in records):
        return 1
    return 0


# -- fetch -----------------------------------------------------------------------------------


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CommandError(f"--params expects KEY=VALUE items, got {pair!r}", status=2)
        params[key] = value
    return params


def _parse_data(raw: str | None) -> Any:
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"--data is not valid JSON: {exc.msg} at column {exc.colno}", 2
        ) from None
    if not isinstance(data, dict):
        raise CommandError(
            f"--data must be a JSON object such as '{{\"size\": 0.01}}', got {raw!r}", 2
        )
    return data


_METHOD = re.compile(r"[A-Za-z]+")


def _check_url(url: str) -> None:
    check_url(url, ("http", "https"), "https://api.bitflyer.com/v1/ticker")


def cmd_fetch(args: argparse.Namespace) -> int:
    if not _METHOD.fullmatch(args.method):
        raise CommandError(
            f"METHOD must be an HTTP method such as GET or POST, got {args.method!r}", status=2
        )
    params = _parse_params(args.params)
    data = _parse_data(args.data)
    _check_url(args.url)
    return asyncio.run(_fetch(args.method.upper(), args.url, params, data, args.apis))


async def _fetch(method: str, url: str, params: dict[str, str], data: Any, apis: str | None) -> int:
    import aiohttp

    from .._client import Client

    try:
        async with Client(apis=apis) as client:
            result = await client.fetch(method, url, params=params or None, data=data)
    except aiohttp.InvalidURL:
        raise CommandError(f"invalid URL {url!r}", status=2) from None
    except aiohttp.ClientConnectorError as exc:
        raise CommandError(f"cannot reach {exc.host}:{exc.port}: {exc.os_error}") from None
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, TypeError) as exc:
        raise CommandError(f"request failed: {type(exc).__name__}: {exc}") from None
    status = result.response.status
    print(f"{status} {result.response.reason}", file=sys.stderr)
    if result.data or not hasattr(result.data, "error"):
        print(json.dumps(result.data, indent=2, ensure_ascii=False))
    else:
        print(result.text)
    return 0 if status < 400 else 1
