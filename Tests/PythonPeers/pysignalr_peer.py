"""pysignalr against the Swift hub: Add, ReceiveMessage, Counter stream, client result.

Usage: pysignalr_peer.py URL [json|messagepack]
Prints one line per check and exits 0 when every check passed.
"""
import asyncio
import sys

from pysignalr.client import SignalRClient
from pysignalr.messages import CompletionMessage


async def scenario(client: SignalRClient, done: asyncio.Future) -> None:
    loop = asyncio.get_running_loop()
    add_result: asyncio.Future = loop.create_future()
    received: asyncio.Future = loop.create_future()
    items: list = []
    stream_done: asyncio.Future = loop.create_future()
    client_result: asyncio.Future = loop.create_future()

    async def on_add(message: CompletionMessage) -> None:
        add_result.set_result(message.result)

    async def on_receive(arguments) -> None:
        if not received.done():
            received.set_result(list(arguments))

    async def on_item(item) -> None:
        items.append(item)

    async def on_complete(message) -> None:
        stream_done.set_result(True)

    async def on_stream_error(message) -> None:
        stream_done.set_exception(RuntimeError(message.error))

    async def on_client_result(message: CompletionMessage) -> None:
        client_result.set_result(message.result)

    client.on("ReceiveMessage", on_receive)
    await client.send("Add", [1, 2], on_invocation=on_add)
    result = await asyncio.wait_for(add_result, 10)
    print(f"Add -> {result}")
    assert result == 3, result

    await client.send("SendMessage", ["py", "hello"])
    arguments = await asyncio.wait_for(received, 10)
    print(f"ReceiveMessage -> {arguments}")
    assert arguments == ["py", "hello"], arguments

    await client.stream("Counter", [3, 10], on_next=on_item, on_complete=on_complete, on_error=on_stream_error)
    await asyncio.wait_for(stream_done, 10)
    print(f"Counter -> {items}")
    assert items == [0, 1, 2], items

    await client.send("GetClientResult", ["GetAnswer"], on_invocation=on_client_result)
    answer = await asyncio.wait_for(client_result, 10)
    print(f"GetClientResult -> {answer}")
    assert answer == 42, answer
    done.set_result(True)


async def main() -> int:
    url = sys.argv[1]
    protocol_name = sys.argv[2] if len(sys.argv) > 2 else "json"
    protocol = None
    if protocol_name == "messagepack":
        from pysignalr.protocol.messagepack import MessagepackProtocol
        protocol = MessagepackProtocol()
    client = SignalRClient(url, protocol=protocol, retry_count=1)

    async def get_answer(arguments):
        return 42

    client.on("GetAnswer", get_answer)
    loop = asyncio.get_running_loop()
    done: asyncio.Future = loop.create_future()
    started = asyncio.Event()

    async def on_open() -> None:
        started.set()

    async def on_error(message) -> None:
        if not done.done():
            done.set_exception(RuntimeError(f"hub error: {message.error}"))

    client.on_open(on_open)
    client.on_error(on_error)
    runner = asyncio.create_task(client.run())
    try:
        await asyncio.wait_for(started.wait(), 10)
        await asyncio.wait_for(scenario(client, done), 30)
        await done
    finally:
        runner.cancel()
        try:
            await runner
        except BaseException:
            pass
    print(f"pysignalr {protocol_name}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
