"""The test hub on aiosignalr, an independent asyncio SignalR server from PyPI.

Usage: python aiosignalr_hub.py [--keep-alive SECONDS] [--client-timeout SECONDS]
Binds 127.0.0.1 on a free port, serves the hub at /hubs/test, prints
"LISTENING <port>" on its own line and runs until stdin closes or it is killed.

aiosignalr 0.1.1 deviates from ASP.NET Core on the wire (see
shared/spec/CLIENT-FACTS.md). Deviations a strict client must not accept are
corrected here, so the client under test stays strict:
- MessagePack: it writes the empty headers of StreamItem, Completion and
  CancelInvocation as the integer 128 (cc 80) instead of an empty map (80).
- Long Polling: it holds the first poll instead of answering it at once.
JSON hub messages in binary WebSocket frames are left alone: a client should
decode frames by the negotiated protocol, not by opcode, so that one is ours to
accept.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from aiosignalr.errors import HubException
from aiosignalr.protocol import messagepack_protocol
from aiosignalr.server.context import IncomingStream
from aiosignalr.server.hub import Hub
from aiosignalr.server.server import ServerOptions, SignalRServer
from aiosignalr.server.transports import LongPollingServerTransport

# Deviation fix: ASP.NET Core writes an empty map (0x80); aiosignalr writes the int 128.
messagepack_protocol._EMPTY_HEADERS = {}


# Deviation fix: stateful reconnect. aiosignalr 0.1.1's MessageBuffer.send buffers a message,
# then may wait for room in the buffer; if a transport resume replays the buffer meanwhile
# (the message included) and finishes before the wait ends, send writes the message a second
# time under the same sequence id. The client then counts one message too many and its
# de-duplication is off by one (the soak test saw a number twice). ASP.NET Core writes each
# buffered message once: here a message that a replay has already sent is not written again.
def _patch_message_buffer() -> None:
    from aiosignalr import message_buffer as mb

    original_resend = mb.MessageBuffer.resend

    async def resend(self) -> None:
        self._resends = getattr(self, "_resends", 0) + 1
        await original_resend(self)

    async def send(self, message, data: bytes) -> None:
        if self._is_trackable(message):
            self._total_message_count += 1
            self._buffered.append((self._total_message_count, data))
            self._buffered_bytes += len(data)
            resends = getattr(self, "_resends", 0)
            await self._wait_for_capacity()
            if self._reconnect_in_progress or getattr(self, "_resends", 0) != resends:
                return
        await self._write(data)

    async def send_serialized(self, data: bytes) -> None:
        self._total_message_count += 1
        self._buffered.append((self._total_message_count, data))
        self._buffered_bytes += len(data)
        resends = getattr(self, "_resends", 0)
        await self._wait_for_capacity()
        if not self._reconnect_in_progress and getattr(self, "_resends", 0) == resends:
            await self._write(data)

    mb.MessageBuffer.resend = resend
    mb.MessageBuffer.send = send
    mb.MessageBuffer.send_serialized = send_serialized


_patch_message_buffer()


# Deviation fix: Long Polling. ASP.NET Core answers a connection's first poll at once with an
# empty 200 (that answer tells the client the transport is up), holds later polls while it has
# nothing to send, and ends a connection only when no poll has been active for its disconnect
# timeout. aiosignalr 0.1.1 holds the first poll as well and starts its idle timer when a poll
# starts rather than when it ends, so a held poll outlives the timer and the connection is torn
# down under the client (its handshake POST then gets 404). This replaces its poll handler with
# one that answers the first poll at once and runs the idle timer only between polls.
async def _handle_longpolling(self: SignalRServer, request, response) -> None:
    record = await self._resolve_record(request.query.get("id"))
    if record is None:
        await response.start(404, {})
        await response.finish()
        return
    first_poll = record.lp_transport is None
    if first_poll:
        record.lp_transport = LongPollingServerTransport()
    transport = record.lp_transport
    ctx = await self._attach(record, transport, request=request, name="LongPolling", inherent_keepalive=True)
    if record.idle_watch is not None and not record.idle_watch.done():
        record.idle_watch.cancel()
    try:
        if first_poll:
            await response.start(200, {"Content-Type": "application/octet-stream"})
            await response.finish()
        else:
            await transport.poll(response, timeout=self.options.long_polling_timeout)
    finally:
        if not ctx.closed.is_set():
            record.idle_watch = asyncio.create_task(self._lp_idle_watch(record, ctx))


SignalRServer.handle_longpolling = _handle_longpolling


# The running server, for hub methods that look at their connection (GetTransport).
SERVER: SignalRServer | None = None


class TestHub(Hub):
    async def Echo(self, message: str) -> str:
        return message

    async def Add(self, a: int, b: int) -> int:
        return a + b

    async def SendMessage(self, user: str, message: str) -> None:
        await self.clients.all_.send("ReceiveMessage", user, message)

    async def Throw(self, message: str) -> None:
        raise HubException(message)

    async def GetConnectionId(self) -> str:
        return self.context.connection_id

    async def GetTransport(self) -> str:
        # The name of the transport attached to the caller's connection (as the in-repo hub's).
        connection = SERVER.get_connection(self.context.connection_id)
        transport = getattr(connection, "_transport", None)
        return getattr(transport, "name", "none")

    async def Counter(self, count: int, delay_ms: int):
        for i in range(count):
            if delay_ms:
                await asyncio.sleep(delay_ms / 1000)
            yield i

    async def StreamEcho(self, stream: IncomingStream):
        async for item in stream:
            yield item

    async def GetClientResult(self, method: str) -> object:
        return await self.clients.caller.invoke(method)

    async def FailingStream(self, count: int):
        for i in range(count):
            yield i
        raise HubException(f"The stream failed after {count} items.")

    async def UploadSum(self, stream: IncomingStream) -> int:
        total = 0
        async for item in stream:
            total += item
        return total

    async def UploadPair(self, first: IncomingStream, second: IncomingStream) -> list:
        sums = [0, 0]
        async for item in first:
            sums[0] += item
        async for item in second:
            sums[1] += item
        return sums

    async def SendNumbers(self, count: int, pause_every: int) -> None:
        for i in range(count):
            await self.clients.caller.send("Number", i)
            if pause_every > 0 and i % pause_every == pause_every - 1:
                await asyncio.sleep(0.001)

    async def Tally(self, value: int) -> int:
        key = (self.context.connection_id, value)
        TALLIES[key] = TALLIES.get(key, 0) + 1
        return TALLIES[key]


# How many times each (connection, value) was tallied: 1 each when every invocation ran once.
TALLIES: dict = {}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep-alive", type=float, default=15.0)
    parser.add_argument("--client-timeout", type=float, default=30.0)
    args = parser.parse_args()
    options = ServerOptions(
        keep_alive_interval=args.keep_alive,
        client_timeout_interval=args.client_timeout,
        allow_stateful_reconnects=True,
        maximum_receive_message_size=1024 * 1024,
    )
    global SERVER
    server = SignalRServer(TestHub, options=options)
    SERVER = server
    _, port = await server.serve("127.0.0.1", 0, path="/hubs/test")
    print(f"LISTENING {port}", flush=True)
    loop = asyncio.get_running_loop()
    # Run until the parent closes our stdin (or kills us).
    await loop.run_in_executor(None, sys.stdin.read)
    await server.close()


if __name__ == "__main__":
    asyncio.run(main())
