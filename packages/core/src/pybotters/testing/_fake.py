"""The fake exchange: a local HTTPS/WSS server that routed clients reach by the real host names."""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import socket
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .._exceptions import PluginError
from ._routing import switchboard
from ._spec import FakeExchangeSpec, FakeRequest, FakeResponse, SecretLookup, check_host
from ._websocket import DEFAULT_TIMEOUT, FakeWebSocket, Signal, wait_for_item

if TYPE_CHECKING:
    import os
    from types import TracebackType

    from aiohttp import web

    from ..hookspecs import Credential

__all__ = ["FakeExchange", "FakeServerError", "Route", "find_spec"]

logger = logging.getLogger("pybotters.testing")

_SHUTDOWN_TIMEOUT = 5.0
_CLOSE_GRACE = 1.0


class FakeServerError(AssertionError):
    """A scripted handler or an exchange plugin's fake behaviour raised while serving."""


class Route:
    """A scripted HTTP reply. Made by :meth:`FakeExchange.route`.

    :ivar requests: every request this route answered, in order.
    """

    __slots__ = (
        "headers",
        "host",
        "method",
        "path",
        "query",
        "requests",
        "response",
        "status",
        "times",
    )

    def __init__(
        self,
        method: str,
        path: str | re.Pattern[str],
        response: Any,
        *,
        status: int,
        headers: Mapping[str, str] | None,
        host: str | None,
        query: Mapping[str, str] | None,
        times: int | None,
    ) -> None:
        if not isinstance(method, str) or not method:
            raise ValueError(f"method must be an HTTP method such as 'GET' or '*', not {method!r}")
        if isinstance(path, str):
            if not path.startswith("/"):
                raise ValueError(f"path must start with '/', not {path!r}")
            if "?" in path:
                raise ValueError(
                    f"path {path!r} contains a query; give the path alone and match the query "
                    "with query={...}"
                )
        elif not isinstance(path, re.Pattern):
            raise TypeError(f"path must be a str or a compiled regex, not {type(path).__name__}")
        if times is not None and times < 1:
            raise ValueError(f"times must be a positive number of uses or None, not {times!r}")
        FakeResponse(status=status)  # validates the status
        self.method = method.upper()
        self.path = path
        self.response = response
        self.status = status
        self.headers = dict(headers or {})
        self.host = check_host(host) if host is not None else None
        self.query = dict(query or {})
        self.times = times
        self.requests: list[FakeRequest] = []

    def __repr__(self) -> str:
        path = self.path if isinstance(self.path, str) else self.path.pattern
        return f"<Route {self.method} {path} calls={self.calls}>"

    @property
    def calls(self) -> int:
        """How many requests this route answered."""
        return len(self.requests)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and len(self.requests) >= self.times

    def matches(self, request: FakeRequest) -> bool:
        if self.exhausted:
            return False
        if self.method != "*" and self.method != request.method:
            return False
        if self.host is not None and self.host != request.host:
            return False
        if isinstance(self.path, str):
            if self.path != request.path:
                return False
        elif self.path.fullmatch(request.path) is None:
            return False
        return all(request.query.get(name) == value for name, value in self.query.items())

    async def reply(self, request: FakeRequest) -> FakeResponse:
        result = self.response
        if callable(result):
            result = result(request)
            if inspect.isawaitable(result):
                result = await result
        if isinstance(result, FakeResponse):
            return result
        return FakeResponse(result, status=self.status, headers=self.headers)


def find_spec(name: str) -> FakeExchangeSpec | None:
    """The fake-server behaviour the installed plugins contribute for exchange ``name``."""
    from .._plugins import host

    host.registry  # noqa: B018 - discovers the installed plugins first
    found: FakeExchangeSpec | None = None
    found_in = ""
    for impl in host.pm.hook.pybotters_fake_exchanges.get_hookimpls():
        try:
            returned: Any = impl.function()
            specs = list(returned)
        except Exception as exc:
            raise PluginError(
                f"plugin {impl.plugin_name!r}: pybotters_fake_exchanges() raised "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        for spec in specs:
            if not isinstance(spec, FakeExchangeSpec):
                raise PluginError(
                    f"plugin {impl.plugin_name!r}: pybotters_fake_exchanges() returned "
                    f"{type(spec).__name__}; it must return FakeExchangeSpec objects"
                )
            if spec.name != name:
                continue
            if found is not None:
                raise PluginError(
                    f"fake exchange {name!r} is contributed by two plugins: {found_in!r} and "
                    f"{impl.plugin_name!r}; disable one of them"
                )
            found, found_in = spec, impl.plugin_name
    return found


def _plugin_hosts(name: str) -> list[str]:
    from .._plugins import host

    registry = host.registry
    hosts: dict[str, None] = {}
    for table in (registry.http_hosts, registry.ws_hosts):
        for host_name, exchange in table.items():
            if exchange.name == name:
                hosts[host_name] = None
    return list(hosts)


def _secret_lookup(apis: Any) -> SecretLookup:
    from .._credentials import validate
    from .._plugins import host

    registry = host.registry
    raw = host.pm.hook.pybotters_load_apis(apis=apis) or {}
    required = {n: exchange.items_for(n) for n, exchange in registry.api_names.items()}
    credentials = validate(raw, required)
    by_key: dict[str, Credential] = {}
    for api_name in credentials.names():
        credential = credentials.get(api_name)
        if credential is not None:
            by_key.setdefault(credential.key, credential)
    return by_key.get


def _bind() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
    except OSError:
        sock.close()
        raise
    return sock


class FakeExchange:
    """A fake exchange on 127.0.0.1 that clients reach through the exchange's real host names.

    While it runs, every new :class:`pybotters.Client` (made without its own connector) connects
    to it for its hosts: ``https://api.bitflyer.com/...`` and ``wss://...`` URLs work unchanged,
    over TLS from a throwaway CA. Connections to any host no fake serves fail at once.

    :param name: the exchange id (``"bitflyer"``). Its plugin, if installed, gives the hosts to
        route and the fake-server behaviour (signature checks, WebSocket login replies).
    :param apis: the credentials the fake checks signatures with: the same ``apis`` the bot
        uses (a dict, a path to a JSON file, or ``None`` to read them as ``Client`` does).
    :param hosts: more host names to route to this fake (needed when no plugin knows ``name``).
    :param spec: ``"plugin"`` (the default) uses the behaviour contributed by the exchange's
        plugin, if any; a :class:`FakeExchangeSpec` uses that one; ``None`` makes a plain
        scripted server that checks nothing.

    Use it as ``async with FakeExchange("bitflyer", apis=apis) as fake:`` (or ``await
    fake.start()`` / ``await fake.close()``); start it before creating the Client.
    """

    def __init__(
        self,
        name: str,
        *,
        apis: Mapping[str, Sequence[str]] | str | os.PathLike[str] | None = None,
        hosts: Iterable[str] = (),
        spec: FakeExchangeSpec | Literal["plugin"] | None = "plugin",
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be an exchange id such as 'bitflyer', not {name!r}")
        if isinstance(hosts, str):
            raise TypeError(f"hosts must be a list of host names; write hosts=[{hosts!r}]")
        self.name = name
        if spec == "plugin":
            self.spec = find_spec(name)
        elif spec is None or isinstance(spec, FakeExchangeSpec):
            self.spec = spec
        else:
            raise TypeError(f"spec must be 'plugin', a FakeExchangeSpec or None, not {spec!r}")
        names = dict.fromkeys(_plugin_hosts(name))
        if self.spec is not None:
            names.update(dict.fromkeys(self.spec.hosts))
        names.update(dict.fromkeys(check_host(h) for h in hosts))
        if not names:
            raise ValueError(
                f"no host to route for the fake exchange {name!r}: no installed plugin "
                f"provides an exchange named {name!r}; install its plugin or pass "
                "hosts=['api.example.com', ...]"
            )
        self.hosts: tuple[str, ...] = tuple(names)
        self.requests: list[FakeRequest] = []
        self.errors: list[BaseException] = []
        self._secret_lookup = _secret_lookup(apis)
        self._routes: list[Route] = []
        self._websockets: dict[str, FakeWebSocket] = {}
        self._signal = Signal()
        self._taken: set[int] = set()
        self._runner: web.AppRunner | None = None
        self._ports: tuple[int, int] | None = None
        # every server-side transport, kept until close() (see there)
        self._transports: set[asyncio.BaseTransport] = set()

    def __repr__(self) -> str:
        state = f"port={self._ports[0]}" if self._ports else "stopped"
        return f"<FakeExchange {self.name!r} hosts={list(self.hosts)!r} {state}>"

    # -- life cycle --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The local TLS port (routed hosts reach it whatever port their URL names)."""
        if self._ports is None:
            raise RuntimeError(f"{self!r} is not running; await start() first")
        return self._ports[0]

    @property
    def plain_port(self) -> int:
        """The local plain-HTTP port (routed ``http://``/``ws://`` URLs on port 80 reach it)."""
        if self._ports is None:
            raise RuntimeError(f"{self!r} is not running; await start() first")
        return self._ports[1]

    @property
    def running(self) -> bool:
        """Whether the fake is serving (between :meth:`start` and :meth:`close`)."""
        return self._runner is not None

    async def start(self) -> FakeExchange:
        """Start serving on 127.0.0.1 (random ports) and route the hosts here."""
        if self._runner is not None:
            raise RuntimeError(f"{self!r} is already running")
        from aiohttp import web

        from ._tls import server_context

        context = server_context(self.hosts)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        sockets: list[socket.socket] = []
        try:
            sockets.append(_bind())
            sockets.append(_bind())
            tls_sock, plain_sock = sockets
            ports = (tls_sock.getsockname()[1], plain_sock.getsockname()[1])
            await web.SockSite(runner, tls_sock, ssl_context=context).start()
            await web.SockSite(runner, plain_sock).start()
            switchboard.add(self.name, self.hosts, *ports)
        except BaseException:
            await runner.cleanup()
            for sock in sockets:
                sock.close()
            raise
        self._runner = runner
        self._ports = ports
        return self

    async def close(self) -> None:
        """Close every connection, stop the server and unroute the hosts.

        Raises :class:`FakeServerError` if a scripted handler or the plugin's fake behaviour
        raised while serving, so such a failure fails the test.
        """
        runner = self._runner
        if runner is None:
            return
        self._runner = None
        try:
            sessions = [
                session
                for endpoint in self._websockets.values()
                for session in endpoint.open_sessions
            ]
            for session in sessions:
                await session.close(1001, "fake exchange closed")
            if sessions:
                # clients answer the close frame at once; one that does not is cut off
                waiters = [asyncio.ensure_future(s.wait_closed()) for s in sessions]
                _, pending = await asyncio.wait(waiters, timeout=_CLOSE_GRACE)
                for waiter in pending:
                    waiter.cancel()
                for session in sessions:
                    session.drop()
            await runner.cleanup()
            # Some aiohttp/Python pairs (aiohttp 3.9 on Python 3.10) drop the server side of a
            # TLS connection that the client closed first without closing it, and the garbage
            # collector then warns about it. The fake keeps every transport until here and
            # closes what is left open.
            transports, self._transports = self._transports, set()
            for transport in transports:
                if not transport.is_closing():
                    transport.abort()  # type: ignore[attr-defined]
        finally:
            switchboard.remove(self.name, self.hosts)
            self._ports = None
        self.raise_errors()

    def raise_errors(self) -> None:
        """Raise :class:`FakeServerError` if anything failed while serving."""
        if self.errors:
            first = self.errors[0]
            raise FakeServerError(
                f"the fake exchange {self.name!r} hit {len(self.errors)} error(s) while "
                f"serving; the first: {type(first).__name__}: {first}"
            ) from first

    async def __aenter__(self) -> FakeExchange:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            await self.close()
        else:
            try:
                await self.close()
            except FakeServerError:
                logger.warning("%r also hit errors while serving: %r", self, self.errors)

    # -- scripting ---------------------------------------------------------------------------

    def route(
        self,
        method: str,
        path: str | re.Pattern[str],
        response: Any = None,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        host: str | None = None,
        times: int | None = None,
    ) -> Route:
        """Answer ``method path`` (``"*"`` for any method) with ``response``.

        :param response: the body (JSON-encoded unless ``str``/``bytes``; ``None`` for none), a
            :class:`FakeResponse`, or a handler ``(request: FakeRequest) -> body | FakeResponse``
            (may be async).
        :param status: the status of a plain body reply.
        :param path: the exact decoded path, or a compiled regex that must match it entirely.
        :param query: query parameters the request must carry with these values.
        :param host: answer only requests to this host.
        :param times: answer at most this many requests, then let older routes answer.

        The newest matching route answers. Requests no route matches get 404 with a JSON body
        saying which route is missing.
        """
        route = Route(
            method,
            path,
            response,
            status=status,
            headers=headers,
            host=host,
            query=query,
            times=times,
        )
        self._routes.append(route)
        return route

    def websocket(self, path: str) -> FakeWebSocket:
        """The WebSocket endpoint at ``path`` (created on first use; clients may connect to any
        path, which creates its endpoint too)."""
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"path must start with '/', not {path!r}")
        endpoint = self._websockets.get(path)
        if endpoint is None:
            endpoint = self._websockets[path] = FakeWebSocket(path, self.errors)
        return endpoint

    async def wait_request(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> FakeRequest:
        """Return the first request matching ``method``/``path`` not returned before.

        Requests already received count. Raises ``TimeoutError`` (listing what was received)
        when none arrives within ``timeout`` seconds.
        """
        want = method.upper() if method is not None else None

        def find() -> FakeRequest | None:
            for index, request in enumerate(self.requests):
                if index in self._taken:
                    continue
                if (want is None or request.method == want) and (
                    path is None or request.path == path
                ):
                    self._taken.add(index)
                    return request
            return None

        def describe() -> str:
            return (
                f"no request {want or '*'} {path or '*'} reached the fake exchange "
                f"{self.name!r} within {timeout} s; received: {self.requests!r}"
            )

        return await wait_for_item(self._signal, find, timeout, describe)

    # -- serving -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        host = _host_of(request)
        if request.transport is not None:
            self._transports.add(request.transport)
        if request.headers.get("Upgrade", "").lower() == "websocket":
            endpoint = self.websocket(request.path)
            return await endpoint.serve(request, host, self.spec, self._secret_lookup)
        fake_request = FakeRequest(
            method=request.method,
            scheme="https" if request.secure else "http",
            host=host,
            path=request.path,
            raw_path=request.raw_path,
            query=request.query,
            headers=request.headers,
            body=await request.read(),
        )
        try:
            reply = await self._reply(fake_request)
        except Exception as exc:
            self.errors.append(exc)
            logger.exception("the fake exchange %r failed on %r", self.name, fake_request)
            reply = FakeResponse(
                {"error": f"the fake exchange failed: {type(exc).__name__}: {exc}"}, status=500
            )
        body, content_type = reply.encode()
        headers = dict(reply.headers)
        if content_type is not None and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = content_type
        return web.Response(status=reply.status, body=body, headers=headers)

    async def _reply(self, request: FakeRequest) -> FakeResponse:
        spec = self.spec
        if spec is not None and spec.verify_http is not None:
            reason = spec.verify_http(request, self._secret_lookup)
            if reason is not None:
                rejected = _replace_rejected(request, reason)
                self._record(rejected)
                if spec.http_rejection is not None:
                    return spec.http_rejection(rejected, reason)
                return FakeResponse({"error": reason}, status=401)
        self._record(request)
        for route in reversed(self._routes):
            if route.matches(request):
                route.requests.append(request)
                return await route.reply(request)
        return FakeResponse(
            {
                "error": (
                    f"the fake exchange {self.name!r} has no route for {request.method} "
                    f"{request.path}; add one with fake.route({request.method!r}, "
                    f"{request.path!r}, ...)"
                )
            },
            status=404,
        )

    def _record(self, request: FakeRequest) -> None:
        self.requests.append(request)
        self._signal.notify()


def _replace_rejected(request: FakeRequest, reason: str) -> FakeRequest:
    from dataclasses import replace

    return replace(request, rejected=reason)


def _host_of(request: web.Request) -> str:
    host = request.host
    if host.startswith("["):
        return host[1 : host.find("]")]
    return host.rsplit(":", 1)[0].rstrip(".").lower()
