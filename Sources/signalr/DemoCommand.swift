import ArgumentParser
import SignalRClient
import SignalRMacros
import SignalRProtocol
import SignalRServer
import SignalRServerTesting

/// `signalr demo`: an embedded hub on a free loopback port and the chat of the official docs.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start an embedded hub and run the chat from the official docs against it."
    )

    @Option(name: .customLong("protocol"), help: "Hub protocol: json or messagepack.")
    var hubProtocol: HubProtocolName = .json

    func run() async throws {
        let server = try await SignalRTestServer.start(host: "127.0.0.1", port: 0)
        do {
            let testURL = await server.url(for: SignalRTestServer.testHubPath)
            try await runDemo(chatURL: await server.url(for: SignalRTestServer.chatHubPath), testURL: testURL)
            try await runTransports(testURL: testURL)
            try await runStreamingAndClientResults(testURL: testURL)
            try await runReconnect(server: server, testURL: testURL)
            print("== Done")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    var protocolValue: any HubProtocol {
        hubProtocol == .json ? JSONHubProtocol() : MessagePackHubProtocol()
    }

    func makeConnection(_ url: String) throws -> HubConnection {
        try HubConnectionBuilder().withUrl(url).withHubProtocol(protocolValue).build()
    }

    private func runDemo(chatURL: String, testURL: String) async throws {
        print("== Hub at \(chatURL) (\(hubProtocol.rawValue) protocol)")

        // "Connect to a hub" and "Call client methods from the hub": two chat clients, each
        // registering a typed receiver (ChatProtocols.swift) for the hub's ReceiveMessage.
        let received = AsyncStream<String>.makeStream()
        var clients: [HubConnection] = []
        for name in ["ana", "ben"] {
            let connection = try makeConnection(chatURL)
            await connection.register(ChatClientReceiver.self, handler: ChatLines(name: name, lines: received.continuation))
            try await connection.start()
            print("\(name) connected (state \(await connection.state), connection id \(await connection.connectionId ?? "-"))")
            clients.append(connection)
        }

        // "Call hub methods from the client", through the typed proxy: SendMessage is sent
        // without waiting (@HubSend), and the hub broadcasts it.
        try await ChatHubProxy(clients[0]).sendMessage(user: "ana", message: "Hello from Swift!")
        var lines: [String] = []
        for await line in received.stream {
            lines.append(line)
            if lines.count == clients.count { break }
        }
        for line in lines.sorted() { print(line) }

        // invoke waits for the hub method's result.
        let test = try makeConnection(testURL)
        try await test.start()
        let sum: Int = try await test.invoke("Add", 40, 2)
        print("invoke Add(40, 2) -> \(sum)")
        let echo: String = try await test.invoke("Echo", "echo me")
        print("invoke Echo(\"echo me\") -> \"\(echo)\"")

        // "Error handling": a hub error arrives with the server's message.
        do {
            try await test.invoke("Throw", "Something went wrong on purpose")
        } catch let error as SignalRError {
            print("invoke Throw(…) failed as expected: \(error.message) [code: \(error.code)]")
        }

        // A clean stop: onClose runs with no error.
        for connection in clients + [test] {
            let closed = AsyncStream<String>.makeStream()
            await connection.onClose { error in
                closed.continuation.yield(error.map { "closed with \($0)" } ?? "closed cleanly")
                closed.continuation.finish()
            }
            try await connection.stop()
            for await text in closed.stream { print("stop(): \(text), state \(await connection.state)") }
        }
    }
}
