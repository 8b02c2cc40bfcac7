import ArgumentParser
import SignalRClient
import SignalRProtocol

/// `signalr stream URL METHOD [JSON args…]`: prints each item of a streaming hub method as
/// one line of JSON.
struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Call a streaming hub method and print each item as one line of JSON.",
        discussion: """
            Each argument is one JSON value: 5, true, '"text"', '{"name":"ana"}'. Exits with status 0 when \
            the hub completes the stream. A hub error prints the server's message on standard error and exits \
            with status 1. Ctrl-C cancels the stream (the hub gets a CancelInvocation), stops the connection \
            and exits with status 0.
            """
    )

    @OptionGroup var call: CallArguments

    func run() async throws {
        try await call.run { hub, method, values in
            try await withInterrupt {
                do {
                    for try await item in hub.stream(method, arguments: values, as: JSONValue.self) {
                        printLine(item.jsonString)
                    }
                } catch is CancellationError {
                    // Ctrl-C: leaving the loop cancelled the stream; stop() below sends its CancelInvocation first.
                }
            } onInterrupt: {}
        }
    }
}
