import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// The official docs' "Client results", against the in-repo hub over loopback, with both
/// hub protocols. `GetClientResult(method)` asks the caller's `method` and returns its answer.
@Suite struct ClientResultIntegrationTests {
    private struct Refusal: Error, CustomStringConvertible {
        var description: String { "I won't answer." }
    }

    private func ask(_ connection: HubConnection, _ method: String) async throws -> JSONValue {
        try await connection.invoke("GetClientResult", method, returning: JSONValue.self)
    }

    private func askError(_ connection: HubConnection, _ method: String) async -> String? {
        (await caught { _ = try await ask(connection, method) } as? SignalRError)?.message
    }

    @Test(arguments: ProtocolKind.allCases)
    func handlersAnswerWithValuesFalsyOnesIncluded(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            await connection.on("Value") { () -> String in "answer" }
            await connection.on("Nothing") { () -> String? in nil }
            await connection.on("No") { () -> Bool in false }
            await connection.on("Zero") { () -> Int in 0 }
            await connection.on("Person") { () -> Person in Person(name: "Ana", age: 42) }
            #expect(try await ask(connection, "Value") == "answer")
            #expect(try await ask(connection, "Nothing") == .null)
            #expect(try await ask(connection, "No") == false)
            #expect(try await ask(connection, "Zero") == 0)
            #expect(try await ask(connection, "Person") == ["name": "Ana", "age": 42])
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func missingThrowingAndDoubleHandlersReachTheServerAsErrors(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            await connection.on("Throws") { () -> Int in throw Refusal() }
            await connection.on("Twice") { () -> Int in 1 }
            await connection.on("Twice") { () -> Int in 2 }
            #expect(await askError(connection, "Missing")?.hasSuffix("Client didn't provide a result.") == true)
            #expect(await askError(connection, "Throws")?.hasSuffix("I won't answer.") == true)
            #expect(await askError(connection, "Twice")?.hasSuffix("Client provided multiple results.") == true)
            #expect(await connection.state == .connected)
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func aHandlerThatInvokesTheSameConnectionAnswers(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            await connection.on("Ask") { (question: String) -> String in
                let echoed: String = try await connection.invoke("Echo", question)
                let sum: Int = try await connection.invoke("Add", 1, 2)
                return "\(echoed) \(sum)"
            }
            let connectionId = try #require(await connection.connectionId)
            let clients = try #require(await server.clients(hub: SignalRTestServer.testHubPath))
            let answer = try await withTimeout {
                try await clients.client(connectionId).invoke("Ask", "hi", returning: String.self)
            }
            #expect(answer == "hi 3")
            try await connection.stop()
        }
    }
}
