"""The one RunspacePool of a host: opened on demand, checked after idle, reopened with backoff.

Used only from the session's owner thread (pypsrp is not thread-safe; NTLM breaks across threads).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from pypsrp.powershell import RunspacePool
from pypsrp.wsman import WSMan

from hvconsole.remoting.errors import (
    AuthenticationFailed,
    CertificateRejected,
    PipelineCancelled,
    RemotingError,
)
from hvconsole.remoting.fast_output import use_fast_output
from hvconsole.remoting.settings import ConnectionSettings
from hvconsole.remoting.state import ConnectionEvent, ConnectionState, StateListener
from hvconsole.remoting.wire import translate

log = logging.getLogger(__name__)


class PoolKeeper:
    def __init__(
        self,
        settings: ConnectionSettings,
        on_state: StateListener | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._on_state = on_state
        self._clock = clock
        self.pool: RunspacePool | None = None
        self.state = ConnectionState.DISCONNECTED
        self._ever_connected = False
        self._last_used = 0.0

    def emit(self, state: ConnectionState, detail: str = "") -> None:
        self.state = state
        if self._on_state is not None:
            try:
                self._on_state(ConnectionEvent(self.settings.host, state, detail))
            except Exception:
                log.exception("connection-state listener failed")

    def touch(self) -> None:
        self._last_used = self._clock()

    def ensure(self, cancelled: Callable[[float], bool] = lambda _s: False) -> RunspacePool:
        """An open pool. ``cancelled(seconds)`` sleeps between attempts and says whether to give up."""
        idle = self._clock() - self._last_used > self.settings.idle_check_after
        if self.pool is not None and idle and not self._alive(self.pool):
            self.drop()
        if self.pool is not None:
            return self.pool
        attempts = self.settings.reconnect_attempts if self._ever_connected else 1
        delay = self.settings.reconnect_base_delay
        error: RemotingError | None = None
        for attempt in range(attempts):
            self.emit(ConnectionState.RECONNECTING if self._ever_connected else ConnectionState.CONNECTING)
            try:
                self.pool = self._open()
            except (AuthenticationFailed, CertificateRejected) as exc:
                self.emit(ConnectionState.AUTH_FAILED, exc.message)
                raise
            except RemotingError as exc:
                error = exc
                if attempt + 1 < attempts and cancelled(delay):
                    raise PipelineCancelled("cancelled while reconnecting", self.settings.host) from exc
                delay = min(delay * 2, self.settings.reconnect_max_delay)
                continue
            self._ever_connected = True
            self.touch()
            self.emit(ConnectionState.CONNECTED)
            return self.pool
        assert error is not None
        self.emit(ConnectionState.UNREACHABLE, error.message)
        raise error

    def _open(self) -> RunspacePool:
        wsman = WSMan(**self.settings.wsman_kwargs())
        pool = RunspacePool(wsman, max_runspaces=self.settings.max_concurrent)
        use_fast_output(pool)
        try:
            pool.open()
        except Exception as exc:
            wsman.close()
            raise translate(exc, self.settings, opening=True) from exc
        return pool

    def _alive(self, pool: RunspacePool) -> bool:
        try:
            return pool.is_alive(timeout=max(1, int(self.settings.connect_timeout)))
        except Exception:
            return False

    def drop(self, state: ConnectionState | None = None, detail: str = "") -> None:
        """Forget the pool without talking to the host (it is gone or going)."""
        if self.pool is not None:
            self.pool.connection.close()
            self.pool = None
        if state is not None:
            self.emit(state, detail)

    def close(self) -> None:
        """Close the pool politely (Delete the shell), then report disconnected."""
        if self.pool is not None:
            try:
                self.pool.close()
            except Exception:
                log.debug("closing the pool of %s failed", self.settings.host, exc_info=True)
            self.drop()
        if self.state is not ConnectionState.DISCONNECTED:
            self.emit(ConnectionState.DISCONNECTED)
