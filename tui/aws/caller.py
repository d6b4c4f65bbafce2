"""``AwsCaller``: one target's AWS clients and the one way a call is made.

Clients are made on first use and closed by ``close()``. Every API call goes through ``_observed``:
it tells the observer (rate budgets, benchmarks) and turns any failure into a domain error, so
callers only ever see ``AwsError``. ``tui.aws.client.AwsPipelineService`` builds the CodePipeline,
CodeBuild and CloudWatch Logs operations on it.

Reads retry (botocore "standard" mode, bounded); mutations use their own clients that send a
request at most once per call, because PutApprovalResult is not idempotent and a silent retry of
a stop or a rollback is not what the operator confirmed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from botocore import xform_name

from tui.aws import convert
from tui.aws.errors import AwsError, ErrorKind
from tui.aws.service import LAST_REQUEST_ID, LAST_RETRIES, SINGLE_ATTEMPT, CallObserver
from tui.core.model import Target

if TYPE_CHECKING:  # imported on first use, in a thread: together they take a third of a second
    from aiobotocore.session import AioSession
    from botocore.config import Config

T = TypeVar("T")
log = logging.getLogger(__name__)

CODEPIPELINE = "codepipeline"
# ReceiveMessage waits up to 20 s for a message: its client must wait longer than that for an answer.
LONG_POLL_READ_TIMEOUT = 30.0


class AwsCaller:
    """One target's clients (aiobotocore) and calls: observed, errors mapped, paginated, converted.

    ``observer`` is a public attribute: the app may attach its call counter after the CLI built
    the service.
    """

    def __init__(
        self,
        target: Target,
        *,
        session: AioSession | Callable[[], AioSession],
        read_config: Config | Callable[[], Config],
        mutation_config: Config | Callable[[], Config],
        endpoint_url: str | None = None,
        credentials: tuple[str, str, str | None] | None = None,
        observer: CallObserver | None = None,
    ) -> None:
        self.target = target
        self.endpoint_url = endpoint_url
        self.observer = observer
        # Callables are called on first use, in a thread (see ``_client``).
        self._session_source = session
        self._config_sources = {False: read_config, True: mutation_config}
        self._ready: tuple[AioSession, dict[bool, Config]] | None = None
        self._credentials = credentials
        self._clients: dict[tuple[str, bool], Any] = {}
        self._stack = AsyncExitStack()
        self._retired: AsyncExitStack | None = None  # clients replaced after a credentials failure
        self._client_lock: asyncio.Lock | None = None

    def __repr__(self) -> str:
        where = f" via {self.endpoint_url}" if self.endpoint_url else ""
        return f"<{type(self).__name__} {self.target.label}{where}>"

    # --- plumbing -----------------------------------------------------------------------------

    async def _client(self, service: str, *, mutation: bool = False) -> Any:
        """The client for ``service``, created on first use (once, even under concurrent calls)."""
        key = (service, mutation)
        client = self._clients.get(key)
        if client is not None:
            return client
        if self._client_lock is None:
            self._client_lock = asyncio.Lock()
        async with self._client_lock:
            client = self._clients.get(key)
            if client is None:
                if self._ready is None:
                    if _import_aiobotocore():
                        # The process's first call: nothing else to do until it can go out.
                        self._ready = self._setup()
                    else:  # later targets: off the event loop, the screen stays responsive
                        self._ready = await asyncio.to_thread(self._setup)
                kwargs = self._client_kwargs(mutation)
                if service == "sqs":
                    from botocore.config import Config

                    read_timeout = max(LONG_POLL_READ_TIMEOUT, kwargs["config"].read_timeout or 0)
                    kwargs["config"] = kwargs["config"].merge(Config(read_timeout=read_timeout))
                client = await self._stack.enter_async_context(self._session.create_client(service, **kwargs))
                self._clients[key] = client
        return client

    def _setup(self) -> tuple[AioSession, dict[bool, Config]]:
        """The session and client configs, made from the sources given (imports aiobotocore)."""
        source = self._session_source
        session = source() if callable(source) else source
        _warm_models(session)
        return session, {k: c() if callable(c) else c for k, c in self._config_sources.items()}

    @property
    def _session(self) -> AioSession:
        if self._ready is None:
            self._ready = self._setup()
        return self._ready[0]

    def _client_kwargs(self, mutation: bool) -> dict[str, Any]:
        if self._ready is None:
            self._ready = self._setup()
        kwargs: dict[str, Any] = {
            "region_name": self.target.region,
            "config": self._ready[1][mutation],
        }
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
            if self.endpoint_url.lower().startswith("http://"):
                # Plain HTTP (the simulator, a local stand-in): there is no certificate to verify,
                # but aiobotocore would still load the CA bundle for each client, in a thread
                # (50-60 ms before the first request of each). Never for https.
                kwargs["verify"] = False
        if self._credentials:
            access_key, secret_key, token = self._credentials
            kwargs.update(
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
                aws_session_token=token,
            )
        return kwargs

    def _notify(self, operation: str, ok: bool, error_kind: str | None) -> None:
        if self.observer is None:
            return
        try:
            self.observer(self.target, operation, ok, error_kind)
        except Exception:  # an accounting bug must not fail the call it was counting
            log.exception("call observer failed for %s", operation)

    async def _observed(
        self,
        operation: str,
        call: Callable[[], Awaitable[T]],
        *,
        mutation: bool = False,
        observe: bool = True,
        service: str | None = None,
    ) -> T:
        """Run one API call: tell the observer once (unless ``observe`` is False), map any failure
        to an ``AwsError``."""
        try:
            result = await call()
        except StopAsyncIteration:
            raise  # a paginator that has no next page made no call
        except Exception as exc:
            from tui.aws.errormap import map_error  # botocore and aiohttp: loaded by now

            error = map_error(exc, operation, mutation=mutation, profile=self.target.profile, service=service)
            if observe:
                self._notify(operation, False, error.kind.value)
            if error.kind is ErrorKind.CREDENTIALS:
                await self._reread_credentials()
            raise error from exc
        if observe:
            self._notify(operation, True, None)
        return result

    async def aws_call(
        self, service: str, operation: str, *, mutation: bool = False, **params: Any
    ) -> dict[str, Any]:
        """One SQS or EventBridge call for push mode (``tui.events``): errors mapped like every
        other call's, but not told to the observer: these calls are outside the rate budget of
        CodePipeline reads. Mutations (setup, teardown, deleting messages) are sent once."""
        if service not in ("sqs", "events"):
            raise ValueError(f"aws_call is for sqs and events, not {service}")
        return await self._call(service, operation, mutation=mutation, observe=False, **params)

    async def _call(
        self,
        service: str,
        operation: str,
        *,
        mutation: bool = False,
        observe: bool = True,
        **params: Any,
    ) -> dict[str, Any]:
        async def run() -> dict[str, Any]:
            # The mutations' client sends each request once: a read asked to be sent once uses it.
            client = await self._client(service, mutation=mutation or SINGLE_ATTEMPT.get())
            method = getattr(client, xform_name(operation))
            response: dict[str, Any] = await method(**params)
            metadata = response.get("ResponseMetadata") or {}
            request_id = metadata.get("RequestId")
            if request_id:
                LAST_REQUEST_ID.set(str(request_id))
            retries = metadata.get("RetryAttempts")
            LAST_RETRIES.set(retries if type(retries) is int else 0)
            return response

        return await self._observed(operation, run, mutation=mutation, observe=observe, service=service)

    async def _paginate(self, operation: str, result_key: str, **params: Any) -> list[Any]:
        """All items of a CodePipeline paginated list; each page is one observed call."""
        pages: Any = None

        async def next_page() -> dict[str, Any]:
            nonlocal pages
            if pages is None:
                client = await self._client(CODEPIPELINE)
                paginator = client.get_paginator(xform_name(operation))
                pages = paginator.paginate(**params).__aiter__()
            page: dict[str, Any] = await pages.__anext__()
            return page

        items: list[Any] = []
        try:
            while True:
                try:
                    page = await self._observed(operation, next_page, service=CODEPIPELINE)
                except StopAsyncIteration:
                    return items
                items.extend(page.get(result_key) or [])
        finally:
            if pages is not None:
                await pages.aclose()

    def _convert(self, operation: str, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(*args)
        except (convert.MalformedResponse, KeyError, TypeError, ValueError) as exc:
            raise AwsError(
                f"unexpected response from {operation}: {exc}", code="Malformed", operation=operation
            ) from exc

    async def _reread_credentials(self) -> None:
        """After a credentials failure, the next call reads the credential chain again.

        A client keeps the credentials it was made with, and the session caches static ones: after
        ``aws configure`` or an edited credentials file neither would notice. So the clients are
        replaced (the previous generation, idle by now, is closed) and a non-refreshable cache is
        dropped; refreshable credentials (SSO, assume-role) renew themselves anyway.
        """
        if self._credentials is not None or not self._clients:
            return  # keys given explicitly: nothing to re-read
        retired, self._retired = self._retired, self._stack
        self._stack, self._clients = AsyncExitStack(), {}
        cached = getattr(self._session, "_credentials", None)
        if cached is not None and not hasattr(cached, "refresh_needed"):
            self._session._credentials = None
        if retired is not None:
            try:
                await retired.aclose()
            except Exception:  # closing old connections must not hide the credentials error
                log.exception("closing replaced clients failed")

    async def close(self) -> None:
        """Close every client (and its connection pool). The service may be used again after."""
        stack, self._stack = self._stack, AsyncExitStack()
        retired, self._retired = self._retired, None
        self._clients.clear()
        await stack.aclose()
        if retired is not None:
            await retired.aclose()


def _import_aiobotocore() -> bool:
    """Import aiobotocore (a fifth of a second) on the event loop's thread; True if it just did.

    The process's first call imports it and sets up its session right there: in a worker thread
    that took half as long again (0.27 s instead of 0.18 s, and 85 ms instead of 30 ms for the
    models), competing with the frames the app paints meanwhile, and it is what the first rows
    wait for (``bench/startup.py``). The screen is already up; a key pressed meanwhile waits
    that quarter of a second, once.
    """
    import sys

    if "aiobotocore.session" in sys.modules:
        return False
    with _no_default_ca_store():
        import aiobotocore.session  # noqa: F401

    return True


# OpenSSL's default CA locations, read each time a context loads its defaults.
_CA_LOCATIONS = ("SSL_CERT_FILE", "SSL_CERT_DIR")


@contextmanager
def _no_default_ca_store() -> Iterator[None]:
    """While aiohttp is first imported, OpenSSL's default CA locations point at nothing.

    aiohttp builds two default SSL contexts at import, each loading the system's CA store: 0.1-0.2 s
    on the first call's path, before the pipeline list can go out (``bench/startup.py trace``).
    aiobotocore never uses them: every connection it opens carries its own context, loaded from
    botocore's CA bundle (or ``AWS_CA_BUNDLE``). The locations are put back at once; another aiohttp
    client in this process without a context of its own would verify against no CA and refuse (it
    fails closed). Nothing changes when aiohttp is already imported (the demo's simulator)."""
    import os
    import sys

    if "aiohttp.connector" in sys.modules:
        yield
        return
    saved = {name: os.environ.get(name) for name in _CA_LOCATIONS}
    for name in _CA_LOCATIONS:
        os.environ[name] = os.devnull
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _warm_models(session: AioSession) -> None:
    """Load what the first clients will need into botocore's loader cache (in ``_setup``'s thread):
    the first CodePipeline client is then made in 25 ms on the event loop instead of 100."""
    try:
        loader = session.get_component("data_loader")
        for service in (CODEPIPELINE, "sts"):
            for kind in ("service-2", "endpoint-rule-set-1"):
                loader.load_service_model(service, kind)
        loader.load_data("partitions")
    except Exception:  # only a head start: the client loads whatever it still needs itself
        log.debug("warming botocore's models failed", exc_info=True)


def present(**members: Any) -> dict[str, Any]:
    """The optional request members that are set: an empty or None one is left out of the request."""
    return {key: value for key, value in members.items() if value}


def client_config(
    *,
    max_attempts: int,
    connect_timeout: float,
    read_timeout: float,
    custom_endpoint: bool,
) -> Config:
    from botocore.config import Config

    options: dict[str, Any] = {
        "retries": {"mode": "standard", "total_max_attempts": max_attempts},
        "connect_timeout": connect_timeout,
        "read_timeout": read_timeout,
        # The start-up burst reads every row on screen at once (tui/core/poller.py grant_startup):
        # botocore's default pool of 10 connections would queue the rest behind the first ten.
        "max_pool_connections": 64,
    }
    if custom_endpoint:
        # StartLiveTail's host prefix ("stream-") would turn 127.0.0.1 into an unknown host.
        options["inject_host_prefix"] = False
    return Config(**options)
