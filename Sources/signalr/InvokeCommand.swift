import ArgumentParser
import SignalRClient
import SignalRProtocol

/// `signalr invoke URL METHOD [JSON args…]`: prints the result as one line of JSON.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Invoke a hub method and print its result as one line of JSON.",
        discussion: "Each argument is one JSON value: 5, true, '\"text\"', '{\"name\":\"ana\"}'. A hub error prints the server's message on standard error and exits with status 1."
    )

    @OptionGroup var call: CallArguments

    func run() async throws {
        try await call.run { hub, method, values in
            printLine(try await hub.invoke(method, arguments: values).jsonString)
        }
    }
}

/// `signalr send URL METHOD [JSON args…]`: calls without waiting for a result.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Call a hub method without waiting for a result (the client's send)."
    )

    @OptionGroup var call: CallArguments

    func run() async throws {
        try await call.run { hub, method, values in try await hub.send(method, arguments: values) }
    }
}

/// The connection, method and JSON arguments of `invoke`, `send` and `stream`.
struct CallArguments: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The hub method.") var method: String
    @Argument(help: "The arguments, each one JSON value.") var arguments: [String] = []

    /// Connects, runs `body`, stops; any failure goes to standard error with exit status 1.
    func run(_ body: (HubConnection, String, [JSONValue]) async throws -> Void) async throws {
        let values = try parseJSONArguments(arguments)
        let hub = try connection.makeConnection()
        do {
            try await hub.start()
            try await body(hub, method, values)
            try await hub.stop()
        } catch {
            try? await hub.stop()
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}
