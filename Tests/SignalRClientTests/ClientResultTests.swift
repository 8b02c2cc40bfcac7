import Foundation
import Logging
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

@Suite("HubConnection client results")
struct ClientResultTests {
    private typealias F = StreamFixture

    private struct Refusal: Error, CustomStringConvertible {
        var description: String { "I won't answer." }
    }

    /// Sends a client-result call of `method` and returns the client's Completion.
    private func ask(_ server: FakeServer, _ method: String, _ arguments: String = "[]", id: String = "s1") async throws -> CompletionMessage {
        server.transport.receive(F.invocation(method, arguments, id: id))
        let completion = try await server.nextCompletion()
        #expect(completion.invocationId == id)
        return completion
    }

    private func resultJSON(_ completion: CompletionMessage) -> String? {
        guard case .value(let value) = completion.result else { return nil }
        return F.json(value)
    }

    @Test func returnedValuesAnswerTheCallFalsyOnesIncluded() async throws {
        let (harness, server) = try await F.connected { connection in
            await connection.on("Text") { (question: String) -> String in "answer to \(question)" }
            await connection.on("Nothing") { () -> String? in nil }
            await connection.on("No") { () -> Bool in false }
            await connection.on("Zero") { () -> Int in 0 }
            await connection.on("Empty") { () -> String in "" }
            await connection.on("Dynamic", jsonResult: { arguments in .array(arguments) })
        }
        #expect(resultJSON(try await ask(server, "Text", #"["life"]"#)) == #""answer to life""#)
        #expect(resultJSON(try await ask(server, "Nothing")) == "null")
        #expect(resultJSON(try await ask(server, "No")) == "false")
        #expect(resultJSON(try await ask(server, "Zero")) == "0")
        #expect(resultJSON(try await ask(server, "Empty")) == #""""#)
        #expect(resultJSON(try await ask(server, "dynamic", #"[1,"a"]"#)) == #"[1,"a"]"#)
        try await harness.connection.stop()
    }

    @Test func missingVoidMultipleAndThrowingHandlersAnswerWithTheOfficialTexts() async throws {
        let (harness, server) = try await F.connected { connection in
            await connection.on("Void") { () in }
            await connection.on("Twice") { () -> Int in 1 }
            await connection.on("Twice") { () -> Int in 2 }
            await connection.on("Throws") { () -> Int in throw Refusal() }
            await connection.on("ThrowsSignalR") { () -> Int in throw SignalRError(.hubError, "Nope.") }
            await connection.on("WrongArgument") { (n: Int) -> Int in n }
        }
        #expect(try await ask(server, "Missing").error == "Client didn't provide a result.")
        #expect(try await ask(server, "Void").error == "Client didn't provide a result.")
        #expect(try await ask(server, "Twice").error == "Client provided multiple results.")
        #expect(try await ask(server, "Throws").error == "I won't answer.")
        #expect(try await ask(server, "ThrowsSignalR").error == "Nope.")
        #expect(try await ask(server, "WrongArgument", #"["x"]"#).error?.contains("could not be decoded as Int") == true)
        #expect(harness.logs.contains(.warning, "No client method with the name 'missing' found."))
        #expect(harness.logs.contains(.error, "A callback for the method 'throws' threw error 'I won't answer.'."))
        try await harness.connection.stop()
    }

    @Test func theLastHandlerDecides() async throws {
        let (harness, server) = try await F.connected { connection in
            await connection.on("ValueThenThrow") { () -> Int in 1 }
            await connection.on("ValueThenThrow") { () -> Int in throw Refusal() }
            await connection.on("ThrowThenValue") { () -> Int in throw Refusal() }
            await connection.on("ThrowThenValue") { () -> Int in 7 }
            await connection.on("ThrowThenVoid") { () -> Int in throw Refusal() }
            await connection.on("ThrowThenVoid") { () in }
            await connection.on("TwiceThenThrow") { () -> Int in 1 }
            await connection.on("TwiceThenThrow") { () -> Int in 2 }
            await connection.on("TwiceThenThrow") { () -> Int in throw Refusal() }
        }
        // A value, then a throw: the error is sent.
        #expect(try await ask(server, "ValueThenThrow").error == "I won't answer.")
        // A throw, then a value: the value is sent; the throw is still logged.
        #expect(resultJSON(try await ask(server, "ThrowThenValue")) == "7")
        #expect(harness.logs.contains(.error, "A callback for the method 'throwthenvalue' threw error 'I won't answer.'."))
        // A throw, then a handler that returns nothing: no result, as in the official client.
        #expect(try await ask(server, "ThrowThenVoid").error == "Client didn't provide a result.")
        // Two results in a row stay an error whatever follows.
        #expect(try await ask(server, "TwiceThenThrow").error == "Client provided multiple results.")
        try await harness.connection.stop()
    }

    @Test func aHandlerThatInvokesTheHubDoesNotHoldBackTheConnection() async throws {
        let notes = Locked<[String]>([])
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let connection = harness.connection
        await connection.on("Ask") { (question: String) -> String in
            let echoed: String = try await connection.invoke("Echo", question)
            return echoed + "!"
        }
        await connection.on("Note") { (text: String) in notes.withLock { $0.append(text) } }
        let server = FakeServer(transport)
        try await harness.start(server)
        transport.receive(F.invocation("Ask", #"["hi"]"#, id: "s1") + F.invocation("Note", #"["later"]"#))
        let echo = try await server.nextInvocation()
        #expect(echo.target == "Echo")
        #expect(echo.invocationId == "0")
        // The Ask handler is waiting for its invoke; the later plain call has run meanwhile.
        try await withTimeout { while notes.withLock({ $0 }) != ["later"] { await Task.yield() } }
        server.complete("0", json: #""hi""#)
        let answer = try await server.nextCompletion()
        #expect(answer.invocationId == "s1")
        #expect(resultJSON(answer) == #""hi!""#)
        try await connection.stop()
    }

    @Test func plainCallsStillRunOneAtATimeInArrivalOrder() async throws {
        let order = Locked<[String]>([])
        let (harness, server) = try await F.connected { connection in
            await connection.on("Step") { (n: Int) in
                order.withLock { $0.append("start \(n)") }
                await Task.yield()
                order.withLock { $0.append("end \(n)") }
            }
        }
        server.transport.receive(F.invocation("Step", "[1]") + F.invocation("Step", "[2]") + F.invocation("Step", "[3]"))
        try await withTimeout { while order.withLock({ $0.count }) < 6 { await Task.yield() } }
        #expect(order.withLock { $0 } == ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"])
        try await harness.connection.stop()
    }
}
