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

# Deviation fix: ASP.NET Core writes an empty map (0x80); aiosignalr writes the int 128.
messagepack_protocol._EMPTY_HEADERS = {}


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
    server = SignalRServer(TestHub, options=options)
    _, port = await server.serve("127.0.0.1", 0, path="/hubs/test")
    print(f"LISTENING {port}", flush=True)
    loop = asyncio.get_running_loop()
    # Run until the parent closes our stdin (or kills us).
    await loop.run_in_executor(None, sys.stdin.read)
    await server.close()


if __name__ == "__main__":
    asyncio.run(main())
