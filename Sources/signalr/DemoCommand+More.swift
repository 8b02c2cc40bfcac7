import SignalRClient
import SignalRProtocol
import SignalRServer

/// The later parts of `signalr demo`: streaming both ways, client results, and automatic
/// reconnect across a server restart, as the official docs' sections show them.
extension DemoCommand {
    func runStreamingAndClientResults(testURL: String) async throws {
        let connection = try makeConnection(testURL)
        try await connection.start()

        // "Streaming": server-to-client stream, consumed with for-try-await.
        var items: [Int] = []
        for try await item in connection.stream("Counter", 5, 50, as: Int.self) {
            items.append(item)
        }
        print("stream Counter(5, 50) -> \(items)")

        // Client-to-server stream: any AsyncSequence wrapped in UploadStream.
        let (numbers, input) = AsyncStream.makeStream(of: Int.self)
        async let sum: Int = connection.invoke("UploadSum", UploadStream(numbers))
        for number in 1...10 { input.yield(number) }
        input.finish()
        print("upload 1...10 to UploadSum -> \(try await sum)")

        // "Client results": the hub asks this client for a value and returns it.
        await connection.on("GetMessage") { () -> String in "hello from the Swift client" }
        let answer: String = try await connection.invoke("GetClientResult", "GetMessage")
        print("GetClientResult(\"GetMessage\") -> \"\(answer)\"")
        try await connection.stop()
    }

    func runReconnect(server: HubServer, testURL: String) async throws {
        print("== Reconnect: the server restarts on the same port")
        let connection = try HubConnectionBuilder().withUrl(testURL).withHubProtocol(protocolValue)
            .withAutomaticReconnect([.milliseconds(200), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5)])
            .build()
        let (events, sink) = AsyncStream.makeStream(of: String.self)
        await connection.onReconnecting { error in
            sink.yield("onReconnecting: \(error?.message ?? "no error")")
        }
        await connection.onReconnected { connectionId in
            sink.yield("onReconnected: new connection id \(connectionId ?? "-")")
        }
        await connection.onClose { error in
            sink.yield("onClose: \(error?.message ?? "no error")")
        }
        try await connection.start()
        print("connected (connection id \(await connection.connectionId ?? "-"))")
        // The server goes away abruptly (as a crash or a network cut would), then comes back
        // on the same port while the client waits out its first retry delay.
        await server.dropAll()
        await server.stop()
        try await server.start()
        print("server restarted on the same port")
        for await event in events {
            print("\(event) (state \(await connection.state))")
            if event.hasPrefix("onReconnected") { break }
            if event.hasPrefix("onClose") { throw SignalRError(.connectionClosed, "The demo connection did not reconnect.") }
        }
        let sum: Int = try await connection.invoke("Add", 2, 3)
        print("invoke Add(2, 3) after reconnecting -> \(sum)")
        try await connection.stop()
    }
}
