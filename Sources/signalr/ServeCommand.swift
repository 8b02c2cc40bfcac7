import ArgumentParser
import SignalRServer
import SignalRServerTesting

/// `signalr serve --port 5000`: hosts the test hub and the chat hub on 127.0.0.1.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Host the test hub (/hubs/test) and the chat hub (/hubs/chat) until interrupted."
    )

    @Option(help: "The TCP port (0 for any free one).") var port = 5000
    @Option(help: "The address to bind.") var host = "127.0.0.1"

    func run() async throws {
        try await withInterrupt {
            try await SignalRTestServer.runUntilCancelled(host: host, port: port) { server in
                printError("serving \(await server.url(for: SignalRTestServer.testHubPath)) and \(await server.url(for: SignalRTestServer.chatHubPath)); Ctrl-C to stop")
            }
        } onInterrupt: {}
    }
}
