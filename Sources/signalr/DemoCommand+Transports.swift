import SignalRClient
import SignalRProtocol

extension DemoCommand {
    /// The chat once over each transport, in the official preference order.
    func runTransports(testURL: String) async throws {
        print("== The chat over each transport")
        let transports: [(HttpTransportType, String)] = [
            (.webSockets, "WebSockets"), (.serverSentEvents, "ServerSentEvents"), (.longPolling, "LongPolling"),
        ]
        for (transport, name) in transports {
            if transport == .serverSentEvents, hubProtocol == .messagepack {
                print("\(name): skipped (Server-Sent Events carries text only, MessagePack is binary)")
                continue
            }
            let connection = try HubConnectionBuilder().withUrl(testURL, transports: transport)
                .withHubProtocol(protocolValue).build()
            let (received, sink) = AsyncStream.makeStream(of: String.self)
            await connection.on("ReceiveMessage") { (user: String, message: String) in sink.yield("\(user): \(message)") }
            try await connection.start()
            let used: String = try await connection.invoke("GetTransport")
            try await connection.send("SendMessage", "ana", "hello over \(used)")
            var lines: [String] = []
            for await line in received {
                lines.append(line)
                if lines.count == 1 { break }
            }
            print("\(name): connected using \(used); ReceiveMessage \(lines.first ?? "-")")
            try await connection.stop()
        }
    }
}
