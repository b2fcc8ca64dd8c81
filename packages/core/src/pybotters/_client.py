"""The HTTP client: aiohttp plus automatic signing by the exchange plugins."""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson
from multidict import CIMultiDict
from yarl import URL

from . import _clock
from .__about__ import __version__
from ._credentials import Credentials, load_credentials
from ._exceptions import InsecureSigningWarning
from ._plugins import host
from ._ws_timing import DEFAULT_BACKOFF
from .hookspecs import Exchange, SignRequest

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import TracebackType

    from aiohttp.client import _RequestContextManager

    from .ws import BytesHandler, JsonHandler, StrHandler, WebSocketApp

__all__ = ["Client", "FetchResult", "NotJSONContent"]

logger = logging.getLogger("pybotters")

USER_AGENT = f"pybotters/{__version__} aiohttp/{aiohttp.__version__}"
_DEFAULT: Any = object()
_JSON_CONTENT_TYPE = "application/json"


class NotJSONContent:
    """Stands in for ``FetchResult.data`` when the body is not JSON. It is falsy."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"NotJSONContent(error={self.error!r})"


class FetchResult:
    """The result of :meth:`Client.fetch`: the response, its text and its decoded JSON.

    :attr:`text` is decoded from the body on first access only (most bots read ``data``).
    """

    __slots__ = ("_raw", "_text", "data", "response")

    def __init__(self, response: aiohttp.ClientResponse, raw: bytes, data: Any) -> None:
        self.response = response
        self.data = data
        self._raw = raw
        self._text: str | None = None

    @property
    def text(self) -> str:
        """The body as text, in the response's encoding."""
        text = self._text
        if text is None:
            text = self._text = self._raw.decode(self.response.get_encoding(), errors="replace")
        return text

    def __repr__(self) -> str:
        return f"<FetchResult status={self.response.status} data={self.data!r:.80}>"


def _encode_json(data: Any) -> tuple[bytes, str]:
    return orjson.dumps(data), _JSON_CONTENT_TYPE


class Client:
    """An HTTP/WebSocket client that signs requests to the exchanges of installed plugins.

    :param apis: credentials as ``{api_name: [key, secret(, passphrase)]}``, a path to a JSON
        file holding that, or ``None`` to read ``./apis.json`` and then the file named by
        ``$PYBOTTERS_APIS``.
    :param base_url: prefixed to relative HTTP URLs (never to WebSocket URLs).
    :param insecure_signing: sign requests to exchange hosts even over plain ``http``/``ws``
        (for local testing only). By default such requests go out unsigned, with a warning.
    :param session_kwargs: passed to :class:`aiohttp.ClientSession`.
    """

    __slots__ = (
        "_base_url",
        "_credentials",
        "_insecure_signing",
        "_registry",
        "_session",
        "_ws_apps",
    )

    def __init__(
        self,
        apis: Mapping[str, Sequence[str]] | str | None = None,
        base_url: str = "",
        *,
        insecure_signing: bool = False,
        **session_kwargs: Any,
    ) -> None:
        self._registry = host.registry
        self._credentials: Credentials = load_credentials(apis)
        self._base_url = base_url
        self._insecure_signing = insecure_signing
        headers = CIMultiDict(session_kwargs.pop("headers", None) or {})
        headers.setdefault("User-Agent", USER_AGENT)
        if "connector" not in session_kwargs:
            connector = host.pm.hook.pybotters_client_connector()
            if connector is not None:
                session_kwargs["connector"] = connector
        self._session = aiohttp.ClientSession(headers=headers, **session_kwargs)
        self._ws_apps: set[WebSocketApp] = set()

    def __repr__(self) -> str:
        return (
            f"<pybotters.Client base_url={self._base_url!r} "
            f"apis={self._credentials.names()!r} closed={self._session.closed}>"
        )

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        """The underlying :class:`aiohttp.ClientSession`."""
        return self._session

    @property
    def closed(self) -> bool:
        return self._session.closed

    async def close(self) -> None:
        """Stop every WebSocketApp of this client (together) and close the session."""
        apps = list(self._ws_apps)
        self._ws_apps.clear()
        try:
            if apps:
                await asyncio.gather(*(app.close() for app in apps))
        finally:
            # Even when the close is itself cancelled (Ctrl+C while leaving `async with`).
            await self._session.close()

    # -- HTTP --------------------------------------------------------------------------------

    def _url(self, url: str | URL) -> URL:
        if isinstance(url, str):
            if self._base_url and "://" not in url:
                url = self._base_url + url
            return URL(url)
        return url

    def request(
        self,
        method: str,
        url: str | URL,
        *,
        params: Any = None,
        data: Any = None,
        auth: Any = _DEFAULT,
        **kwargs: Any,
    ) -> _RequestContextManager:
        """Start a request; use as ``async with client.request(...) as resp``.

        ``params`` is merged with the URL's query; ``data`` is encoded by the exchange plugin
        (JSON or form) and signed with its credential. ``auth=None`` sends the request unsigned.
        Other keyword arguments go to :meth:`aiohttp.ClientSession.request`.
        """
        if "json" in kwargs:
            raise TypeError(
                "pybotters.Client does not accept json=; pass the payload as data=, which the "
                "exchange plugin encodes (as JSON or form) and signs"
            )
        method = method.upper()
        target = self._url(url)
        if params:
            target = target.extend_query(params)
        host = target.host or ""
        exchange = self._registry.http_hosts.get(host)
        if exchange is None:
            if auth is not _DEFAULT and auth is not None:
                kwargs["auth"] = auth
            return self._session.request(method, target, data=data, **kwargs)
        return self._exchange_request(exchange, host, method, target, data, auth, kwargs)

    def _exchange_request(
        self,
        exchange: Exchange,
        host: str,
        method: str,
        url: URL,
        data: Any,
        auth: Any,
        kwargs: dict[str, Any],
    ) -> _RequestContextManager:
        headers: CIMultiDict[str] = CIMultiDict(kwargs.pop("headers", None) or {})
        # Session-level headers take part in signing and API-name selection (for example
        # Client(headers={"x-simulated-trading": "1"}) for OKX demo trading).
        for name, value in self._session.headers.items():
            if name not in headers:
                headers[name] = value
        if data is None:
            body = None
        elif isinstance(data, bytes):
            body = data
        elif isinstance(data, str):
            body = data.encode()
        else:
            body, content_type = (exchange.encode_data or _encode_json)(data)
            if "Content-Type" not in headers:
                headers["Content-Type"] = content_type
        if auth is _DEFAULT and exchange.sign is not None:
            request = SignRequest(method, url, headers, body, _clock.now())
            api_name = exchange.http_hosts[host]
            if exchange.select_api_name is not None:
                api_name = exchange.select_api_name(request, api_name)
            credential = self._credentials.get(api_name)
            if credential is not None:
                if url.scheme == "https" or self._insecure_signing:
                    if kwargs.get("allow_redirects"):
                        # aiohttp would forward the signature headers (an OKX passphrase too)
                        # to whatever host the redirect names.
                        raise ValueError(
                            f"{method} {url.scheme}://{host}{url.path} is signed with the "
                            f"{api_name!r} credentials and cannot follow redirects: the "
                            "signature headers would be sent to the redirect target. Leave "
                            "allow_redirects unset (the 3xx response is returned as is) or "
                            "pass auth=None for an unsigned request"
                        )
                    exchange.sign(request, credential)
                    kwargs["allow_redirects"] = False
                    url, headers, body = request.url, request.headers, request.body
                else:
                    warnings.warn(
                        f"{method} {url.scheme}://{host}{url.path} was sent unsigned: "
                        f"credentials for {api_name!r} are only sent over https (pass "
                        "insecure_signing=True to Client for local testing)",
                        InsecureSigningWarning,
                        stacklevel=4,
                    )
        elif auth is not _DEFAULT and auth is not None:
            kwargs["auth"] = auth
        return self._session.request(method, url, headers=headers, data=body, **kwargs)

    def get(self, url: str | URL, **kwargs: Any) -> _RequestContextManager:
        return self.request("GET", url, **kwargs)

    def post(self, url: str | URL, **kwargs: Any) -> _RequestContextManager:
        return self.request("POST", url, **kwargs)

    def put(self, url: str | URL, **kwargs: Any) -> _RequestContextManager:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str | URL, **kwargs: Any) -> _RequestContextManager:
        return self.request("DELETE", url, **kwargs)

    async def fetch(
        self,
        method: str,
        url: str | URL,
        *,
        params: Any = None,
        data: Any = None,
        **kwargs: Any,
    ) -> FetchResult:
        """Send a request, read the whole body and decode it as JSON (orjson).

        ``FetchResult.data`` is the decoded JSON, or a falsy :class:`NotJSONContent`.
        """
        async with self.request(method, url, params=params, data=data, **kwargs) as resp:
            raw = await resp.read()
        try:
            decoded: Any = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            decoded = NotJSONContent(exc)
        return FetchResult(resp, raw, decoded)

    # -- WebSocket ---------------------------------------------------------------------------

    def ws_connect(
        self,
        url: str | URL,
        *,
        send_str: str | Sequence[str] | None = None,
        send_bytes: bytes | Sequence[bytes] | None = None,
        send_json: Any = None,
        hdlr_str: StrHandler | Sequence[StrHandler] | None = None,
        hdlr_bytes: BytesHandler | Sequence[BytesHandler] | None = None,
        hdlr_json: JsonHandler | Sequence[JsonHandler] | None = None,
        backoff: tuple[float, float, float, float] = DEFAULT_BACKOFF,
        heartbeat: float | None = 10.0,
        auth: Any = _DEFAULT,
        **kwargs: Any,
    ) -> WebSocketApp:
        """Open a self-healing WebSocket stream and return its :class:`pybotters.WebSocketApp`.

        Returns at once; ``await`` the app to wait for the first connection. Must be called
        in a running event loop.

        :param url: ``wss://...`` (``base_url`` is not applied). ``app.url`` can change it later.
        :param send_str: a text message or a list of them, sent on every (re)connection.
        :param send_bytes: a binary message or a list of them, sent on every (re)connection.
        :param send_json: a JSON message or a list of messages (a list is always several
            messages), encoded by orjson and prepared (signed) by the exchange plugin.
        :param hdlr_str: ``(text, ws)`` handler(s) for TEXT frames.
        :param hdlr_bytes: ``(data, ws)`` handler(s) for BINARY frames.
        :param hdlr_json: ``(obj, ws)`` handler(s) for frames that are JSON (decoded once).
        :param backoff: ``(min, max, factor, initial)`` seconds for reconnect delays.
        :param heartbeat: aiohttp's protocol ping interval (seconds) that detects a dead
            connection; ``None`` disables it.
        :param auth: ``None`` connects without the exchange login; the default logs in when a
            credential exists for the host. Any other value goes to aiohttp (e.g. BasicAuth).
        :param kwargs: passed to :meth:`aiohttp.ClientSession.ws_connect` (``headers``,
            ``receive_timeout``, ``autoping``, ...).
        """
        from .ws import WebSocketApp

        app = WebSocketApp(
            self,
            url,
            send_str=send_str,
            send_bytes=send_bytes,
            send_json=send_json,
            hdlr_str=hdlr_str,
            hdlr_bytes=hdlr_bytes,
            hdlr_json=hdlr_json,
            backoff=backoff,
            heartbeat=heartbeat,
            auth=auth,
            **kwargs,
        )
        if not app.closed:
            self._ws_apps.add(app)
        return app

    # -- used by WebSocketApp ----------------------------------------------------------------

    def _ws_exchange(self, url: URL) -> Exchange | None:
        return self._registry.ws_hosts.get(url.host or "")
