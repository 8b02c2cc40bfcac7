"""signalrcore against the Swift hub: Add, ReceiveMessage, Counter stream.

Usage: signalrcore_peer.py URL [json|messagepack] [websockets|serversentevents|longpolling]
Prints one line per check and exits 0 when every check passed.

signalrcore 1.0.2 limits seen against this server (client bugs, not server ones):
- Long Polling hands over only the first record of a poll body until the next poll returns
  data, so a batched poll (several stream items) stalls; the stream check is skipped there.
- Long Polling with MessagePack cannot start (LongPollingBinaryClient calls the wrong super()).
"""
import os
import sys
import threading

from signalrcore.hub_connection_builder import HubConnectionBuilder


def wait(event: threading.Event, what: str) -> None:
    if not event.wait(15):
        raise TimeoutError(f"timed out waiting for {what}")


def main() -> int:
    url = sys.argv[1]
    protocol_name = sys.argv[2] if len(sys.argv) > 2 else "json"
    transport_name = sys.argv[3] if len(sys.argv) > 3 else None
    options = {"verify_ssl": False}
    if transport_name:
        from signalrcore.types import HttpTransportType
        transports = {
            "websockets": HttpTransportType.web_sockets,
            "serversentevents": HttpTransportType.server_sent_events,
            "longpolling": HttpTransportType.long_polling,
        }
        options["transport"] = transports[transport_name]
    builder = HubConnectionBuilder().with_url(url, options=options)
    if os.environ.get("PEER_DEBUG"):
        import logging
        builder = builder.configure_logging(logging.DEBUG)
    if protocol_name == "messagepack":
        from signalrcore.protocol.messagepack_protocol import MessagePackHubProtocol
        builder = builder.with_hub_protocol(MessagePackHubProtocol())
    hub = builder.build()

    opened = threading.Event()
    hub.on_open(opened.set)
    errors = []
    hub.on_error(lambda message: errors.append(message.error))

    received = {}
    got_message = threading.Event()

    def on_receive(arguments):
        received["arguments"] = list(arguments)
        got_message.set()

    hub.on("ReceiveMessage", on_receive)
    hub.start()
    try:
        wait(opened, "open")

        add_done = threading.Event()
        add_result = {}

        def on_add(message):
            add_result["result"] = message.result
            add_done.set()

        hub.send("Add", [1, 2], on_invocation=on_add)
        wait(add_done, "Add")
        print(f"Add -> {add_result['result']}")
        assert add_result["result"] == 3, add_result

        hub.send("SendMessage", ["py", "hello"])
        wait(got_message, "ReceiveMessage")
        print(f"ReceiveMessage -> {received['arguments']}")
        assert received["arguments"] == ["py", "hello"], received

        if transport_name == "longpolling":
            print(f"signalrcore {protocol_name} {transport_name}: ok")
            return 0

        items = []
        stream_done = threading.Event()
        # signalrcore sends the StreamInvocation before subscribe() wires the callbacks, so a
        # fast first item can arrive before them; wire them when the handler is created.
        from signalrcore.hub import handlers
        original_init = handlers.StreamHandler.__init__

        def wired_init(self, event, invocation_id):
            original_init(self, event, invocation_id)
            self.next_callback = items.append
            self.complete_callback = lambda _: stream_done.set()
            self.error_callback = lambda error: (errors.append(str(error)), stream_done.set())

        handlers.StreamHandler.__init__ = wired_init
        hub.stream("Counter", [3, 10])
        wait(stream_done, "Counter")
        print(f"Counter -> {items}")
        assert items == [0, 1, 2], items
        assert not errors, errors
    finally:
        # signalrcore's stop() can wait a whole keep-alive interval for its threads; bound it.
        stopper = threading.Thread(target=hub.stop, daemon=True)
        stopper.start()
        stopper.join(3)
    print(f"signalrcore {protocol_name} {transport_name or 'default'}: ok")
    return 0


if __name__ == "__main__":
    try:
        code = main()
    except BaseException as error:  # report, then exit without waiting for client threads
        print(f"FAILED: {error!r}")
        code = 1
    sys.stdout.flush()
    os._exit(code)
