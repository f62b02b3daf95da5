"""A TCP listener for HJ 212 stations: frames arrive one a line, a handler judges each, replies go back.

The listener knows nothing of frames beyond their line end: parsing, station checks and storage belong to
the handler, so one bad frame, station or handler call can only ever cost that one line.

The handler protocol: `handler(peer, line) -> bytes | None`, where `peer` is the station's (host, port)
and `line` the bytes received up to and including the LF. It returns the bytes to send back (an
acknowledgement frame) or None. A plain function runs in a worker thread, so it may block on the database;
a coroutine function is awaited on the event loop and must not block.
"""

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from hezhang.monitoring.hj212.envelope import MAX_FRAME_LENGTH

log = logging.getLogger("hezhang.hj212")

Peer = tuple[str, int]
Handler = Callable[[Peer, bytes], bytes | None] | Callable[[Peer, bytes], Awaitable[bytes | None]]

DEFAULT_IDLE_TIMEOUT = 600.0  # stations send at least every few minutes; a silent socket is a dead one
DEFAULT_WRITE_TIMEOUT = 30.0
DEFAULT_MAX_CONNECTIONS = 1000
READ_SIZE = 4096


@dataclass(eq=False)
class _Connection:
    peer: Peer
    task: asyncio.Task | None = field(default=None, repr=False)
    reading: bool = False  # waiting for bytes, so safe to cancel; otherwise a frame is being handled


def _peer(writer: asyncio.StreamWriter) -> Peer:
    address = writer.get_extra_info("peername")
    if isinstance(address, tuple) and len(address) >= 2:
        return str(address[0]), int(address[1])
    return str(address), 0


class Listener:
    """Serves stations until closed. `start()` binds (port 0 picks a free one), `close()` stops gracefully."""

    def __init__(
        self,
        handler: Handler,
        *,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        write_timeout: float = DEFAULT_WRITE_TIMEOUT,
        max_line: int = MAX_FRAME_LENGTH,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        self.handler = handler
        self.idle_timeout = idle_timeout
        self.write_timeout = write_timeout
        self.max_line = max_line
        self.max_connections = max_connections
        # A coroutine function, or an object whose __call__ is one.
        self._is_async = inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(
            type(handler).__call__
        )
        self._server: asyncio.Server | None = None
        self._address: Peer | None = None
        self._connections: set[_Connection] = set()
        self._closing = False

    async def start(self, host: str, port: int) -> None:
        self._server = await asyncio.start_server(self._accept, host, port)
        self._address = self._server.sockets[0].getsockname()[:2]
        log.info("listening for HJ 212 frames on %s:%s", *self.address)

    @property
    def address(self) -> Peer:
        """The (host, port) bound by start(), the port chosen when 0 was asked for."""
        if self._address is None:
            raise RuntimeError("the listener is not started")
        return self._address

    @property
    def connections(self) -> int:
        return len(self._connections)

    async def close(self, grace: float = 10.0) -> None:
        """Stop accepting, let frames in hand be answered (up to `grace` seconds), close every connection."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            if connection.reading and connection.task is not None:
                connection.task.cancel()
        tasks = [c.task for c in self._connections if c.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        if self._server is not None:
            await self._server.wait_closed()
        log.info("HJ 212 listener closed")

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = _Connection(_peer(writer), asyncio.current_task())
        host, port = connection.peer
        if self._closing or len(self._connections) >= self.max_connections:
            log.warning(
                "refused %s:%s: %s", host, port, "closing" if self._closing else "too many connections"
            )
            writer.close()
            return
        self._connections.add(connection)
        log.info("%s:%s connected", host, port)
        try:
            await self._converse(connection, reader, writer)
        except asyncio.CancelledError:
            log.info("%s:%s closed by shutdown", host, port)
        except (ConnectionError, TimeoutError, OSError) as exc:
            log.info("%s:%s lost: %s", host, port, exc or type(exc).__name__)
        except Exception:
            # Nothing should get here; if something does, it ends this connection and no other.
            log.exception("%s:%s: unexpected failure", host, port)
        finally:
            self._connections.discard(connection)
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass
            log.info("%s:%s disconnected", host, port)

    async def _converse(
        self, connection: _Connection, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        host, port = connection.peer
        buffer = bytearray()
        skipping = False  # inside a line already refused as too long: drop bytes until its end
        while not self._closing:
            end = buffer.find(b"\n")
            if end >= 0:
                line = bytes(buffer[: end + 1])
                del buffer[: end + 1]
                if skipping:
                    skipping = False
                elif len(line) > self.max_line:
                    log.warning(
                        "%s:%s sent a %d-byte line, over %d: skipped", host, port, len(line), self.max_line
                    )
                elif line.strip():
                    await self._answer(connection, line, writer)
                continue
            if len(buffer) > self.max_line:
                if not skipping:
                    log.warning(
                        "%s:%s sent %d bytes without a line end: skipping to the next",
                        host,
                        port,
                        len(buffer),
                    )
                skipping = True
                buffer.clear()
            connection.reading = True
            try:
                chunk = await asyncio.wait_for(reader.read(READ_SIZE), self.idle_timeout)
            except TimeoutError:
                log.info("%s:%s idle for %g s: closing", host, port, self.idle_timeout)
                return
            finally:
                connection.reading = False
            if not chunk:
                if buffer.strip() and not skipping:
                    log.info("%s:%s left with %d bytes of an unfinished line", host, port, len(buffer))
                return
            buffer += chunk

    async def _answer(self, connection: _Connection, line: bytes, writer: asyncio.StreamWriter) -> None:
        host, port = connection.peer
        try:
            if self._is_async:
                reply = await self.handler(connection.peer, line)  # type: ignore[misc]
            else:
                reply = await asyncio.to_thread(self.handler, connection.peer, line)
        except Exception:
            log.exception("%s:%s: the handler failed on %r", host, port, line[:120])
            return
        if reply:
            writer.write(reply)
            await asyncio.wait_for(writer.drain(), self.write_timeout)


async def serve(
    host: str,
    port: int,
    handler: Handler,
    *,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    stop: asyncio.Event | None = None,
    ready: Callable[[Peer], None] | None = None,
) -> None:
    """Serve stations on host:port until `stop` is set or the task is cancelled, then close gracefully.

    `ready` is called with the bound address once the socket listens (useful with port 0).
    """
    listener = Listener(handler, idle_timeout=idle_timeout)
    await listener.start(host, port)
    if ready is not None:
        ready(listener.address)
    try:
        if stop is None:
            await asyncio.Event().wait()
        else:
            await stop.wait()
    finally:
        await listener.close()
