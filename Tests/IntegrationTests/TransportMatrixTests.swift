import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// Every HubConnection feature on every transport that can carry the hub protocol, against the
/// in-repo hub over loopback: {WebSockets, Server-Sent Events, Long Polling} × {JSON, MessagePack
/// (not over Server-Sent Events, which is text only)} × {invoke, send, on, stream, upload, client
/// result, stop, server close, server drop}.
///
/// Each connection may use only the cell's transport (`HttpConnectionOptions.transports`), and
/// every test asks the hub which transport it sees (`GetTransport`), so a case cannot pass on
/// another transport. Connection ends (stop, server close, server drop) are in
/// ``TransportMatrixEndTests``.
@Suite(.timeLimit(.minutes(1))) struct TransportMatrixTests {
    /// Connects over `cell` and checks that the hub sees the cell's transport and protocol.
    static func open(_ cell: TransportCase, _ server: HubServer) async throws -> HubConnection {
        let connection = try await cell.connect(await server.testHubURL)
        #expect(try await connection.invoke("GetTransport", returning: String.self) == cell.transportName)
        #expect(try await connection.invoke("GetProtocol", returning: String.self) == cell.kind.rawValue)
        return connection
    }

    @Test(arguments: TransportCase.all)
    func invoke(cell: TransportCase) async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            let connection = try await Self.open(cell, server)
            #expect(try await connection.invoke("Add", 40, 2, returning: Int.self) == 42)
            // A line break inside a payload: SSE writes it as two `data:` lines that must join again.
            let text = "héllo\n\"world\"\r\nend"
            #expect(try await connection.invoke("Echo", text, returning: String.self) == text)
            #expect(try await connection.invoke("GetPerson", returning: Person.self) == Person(name: "Ana", age: 42))
            let none: String? = try await connection.invoke("Optional", String?.none)
            #expect(none == nil)
            let large = String(repeating: "x", count: 100_000)
            #expect(try await connection.invoke("Echo", large, returning: String.self) == large)
            let error = await caught { try await connection.invoke("Throw", "matrix failure") }
            #expect((error as? SignalRError)?.message
                == "An unexpected error occurred invoking 'Throw' on the server. HubException: matrix failure")
            // Concurrent invocations: over HTTP transports their sends are batched into POSTs.
            let sums = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for index in 0..<50 {
                    group.addTask { (index, try await connection.invoke("Add", index, 1000, returning: Int.self)) }
                }
                var sums: [Int: Int] = [:]
                for try await (index, sum) in group { sums[index] = sum }
                return sums
            }
            #expect(sums.count == 50)
            #expect(sums.allSatisfy { $0.value == $0.key + 1000 })
            try await connection.stop()
        }
    }

    @Test(arguments: TransportCase.all)
    func send(cell: TransportCase) async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            let sender = try await Self.open(cell, server)
            let listener = try await Self.open(cell, server)
            let received = EventRecorder<String>()
            await listener.on("ReceiveMessage") { (user: String, message: String) in received.record("\(user): \(message)") }
            // `send` resolves once written; the hub relays each one to the other connection, in order.
            for index in 0..<100 { try await sender.send("SendToOthers", "ana", "message \(index)") }
            #expect(try await received.next(100) == (0..<100).map { "ana: message \($0)" })
            try await sender.stop()
            try await listener.stop()
        }
    }

    @Test(arguments: TransportCase.all)
    func on(cell: TransportCase) async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            let connection = try await Self.open(cell, server)
            let received = EventRecorder<String>()
            let first = await connection.on("Notify") { (value: Int) in received.record("a\(value)") }
            await connection.on("notify") { (value: Int) in received.record("b\(value)") }
            await connection.on("Person") { (person: Person) in received.record("\(person.name) \(person.age)") }
            try await connection.invoke("SendToCaller", "Notify", 1)
            #expect(try await received.next(2) == ["a1", "b1"])
            try await connection.invoke("SendToCaller", "Person", Person(name: "Ben", age: 7))
            #expect(try await received.next(1) == ["Ben 7"])
            await first.remove()
            // Many calls arrive in order; over Long Polling several come in one poll answer.
            for value in 2..<52 { try await connection.send("SendToCaller", "Notify", value) }
            #expect(try await received.next(50) == (2..<52).map { "b\($0)" })
            try await connection.stop()
        }
    }

    @Test(arguments: TransportCase.all)
    func stream(cell: TransportCase) async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            let connection = try await Self.open(cell, server)
            let items = try await withTimeout {
                try await StreamIntegrationTests.collect(connection.stream("Counter", 500, 0, as: Int.self))
            }
            #expect(items == Array(0..<500))
            var failed: [Int] = []
            let error = await caught {
                for try await n in connection.stream("FailingStream", 3, as: Int.self) { failed.append(n) }
            }
            #expect(failed == [0, 1, 2])
            #expect((error as? SignalRError)?.message
                == "An error occurred on the server while streaming results. HubException: The stream failed after 3 items.")
            // Leaving the loop early sends CancelInvocation, which the hub's stream sees.
            for try await n in connection.stream("Ticks", StreamIntegrationTests.idle, as: Int.self) {
                #expect(n == 0)
                break
            }
            try await StreamIntegrationTests.waitForCancelledStreams(1, on: connection)
            try await connection.stop()
        }
    }

    @Test(arguments: TransportCase.all)
    func upload(cell: TransportCase) async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            let connection = try await Self.open(cell, server)
            let numbers = AsyncStream<Int> { input in
                for n in 1...500 { input.yield(n) }
                input.finish()
            }
            #expect(try await connection.invoke("UploadSum", UploadStream(numbers), returning: Int.self) == 125_250)
            let words = (0..<200).map { "word \($0)" }
            let source = AsyncStream<String> { input in
                for word in words { input.yield(word) }
                input.finish()
            }
            let echoed = try await withTimeout {
                try await StreamIntegrationTests.collect(connection.stream("StreamEcho", UploadStream(source), as: String.self))
            }
            #expect(echoed == words)
            let first = AsyncStream<Int> { input in
                for n in 1...10 { input.yield(n) }
                input.finish()
            }
            let second = AsyncStream<Int> { input in
                for n in 1...3 { input.yield(n * 100) }
                input.finish()
            }
            #expect(try await connection.invoke("UploadPair", UploadStream(first), UploadStream(second), returning: [Int].self) == [55, 600])
            try await connection.stop()
        }
    }

    @Test(arguments: TransportCase.all)
    func clientResult(cell: TransportCase) async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            let connection = try await Self.open(cell, server)
            await connection.on("Value") { () -> String in "answer" }
            await connection.on("Zero") { () -> Int in 0 }
            await connection.on("Person") { () -> Person in Person(name: "Ana", age: 42) }
            await connection.on("Ask") { (question: String) -> String in
                // A handler that calls the hub on the same connection before answering. The hub
                // asks from outside a hub method: inside one, this call would wait behind it.
                let sum = try await connection.invoke("Add", 1, 2, returning: Int.self)
                return "\(question) \(sum)"
            }
            #expect(try await connection.invoke("GetClientResult", "Value", returning: JSONValue.self) == "answer")
            #expect(try await connection.invoke("GetClientResult", "Zero", returning: JSONValue.self) == 0)
            #expect(try await connection.invoke("GetClientResult", "Person", returning: JSONValue.self) == ["name": "Ana", "age": 42])
            let connectionId = try #require(await connection.connectionId)
            let clients = try #require(await server.clients(hub: SignalRTestServer.testHubPath))
            let answer = try await withTimeout {
                try await clients.client(connectionId).invoke("Ask", "hi", returning: String.self)
            }
            #expect(answer == "hi 3")
            let missing = await caught { _ = try await connection.invoke("GetClientResult", "Missing", returning: JSONValue.self) }
            #expect((missing as? SignalRError)?.message.hasSuffix("Client didn't provide a result.") == true)
            #expect(await connection.state == .connected)
            try await connection.stop()
        }
    }
}
