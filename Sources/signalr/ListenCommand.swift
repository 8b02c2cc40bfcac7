import ArgumentParser
import Foundation
import SignalRClient
import SignalRProtocol

/// `signalr listen URL METHOD…`: prints each call from the hub as one line of JSON.
struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Print each call of the given client methods as one line of JSON until interrupted.",
        discussion: #"Each line is {"method":"ReceiveMessage","arguments":["ana","hi"]}. With --reply, calls that expect a result (client results) are answered with that JSON value."#
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Client method names to listen for.") var methods: [String]
    @Option(help: "Answer the hub's client-result calls of these methods with this JSON value, for example 42 or '\"yes\"'.")
    var reply: String?
    @Flag(help: "Do not reconnect automatically when the connection is lost.")
    var noReconnect = false

    func validate() throws {
        if methods.isEmpty { throw ValidationError("Name at least one method to listen for.") }
    }

    func run() async throws {
        let answer = try reply.map { try parseJSONArguments([$0])[0] }
        // Reconnect like the official client (0, 2, 10, 30 s), then keep retrying every 30 s:
        // a listener should outlive a server restart of any length.
        let hub = try connection.makeConnection { builder in
            noReconnect ? builder : builder.withAutomaticReconnect(ListenRetryPolicy())
        }
        await hub.onReconnecting { error in
            printError("state: Reconnecting (\(error?.message ?? "connection lost"))")
        }
        await hub.onReconnected { connectionId in
            printError("state: Connected (connection \(connectionId ?? "-"))")
        }
        for method in methods {
            let printCall: @Sendable ([JSONValue]) -> Void = { arguments in
                let line = JSONValue.object(["method": .string(method), "arguments": .array(arguments)])
                printLine(line.jsonString)
            }
            if let answer {
                await hub.on(method, jsonResult: { arguments in
                    printCall(arguments)
                    return answer
                })
            } else {
                await hub.on(method, jsonArguments: printCall)
            }
        }
        let closed = AsyncStream<SignalRError?>.makeStream()
        await hub.onClose { error in closed.continuation.yield(error) }
        try await hub.start()
        printError("listening on \(connection.url) (connection \(await hub.connectionId ?? "-")); Ctrl-C to stop")
        try await withInterrupt {
            for await error in closed.stream {
                if let error { printError("connection closed: \(error)") }
                throw ExitCode(error == nil ? 0 : 1)
            }
        } onInterrupt: {
            try? await hub.stop()
        }
    }
}

/// The official delays, then every 30 s for as long as the listener runs.
struct ListenRetryPolicy: RetryPolicy {
    func nextRetryDelay(_ context: RetryContext) -> Duration? {
        let delays: [Duration] = [.zero, .seconds(2), .seconds(10), .seconds(30)]
        return context.previousRetryCount < delays.count ? delays[context.previousRetryCount] : .seconds(30)
    }
}
