import Foundation
import Logging
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

struct TestTimeout: Error, CustomStringConvertible {
    var description: String { "The test waited too long." }
}

/// Plays the server side of one fake transport with the JSON protocol.
struct FakeServer: Sendable {
    let transport: FakeTransportConnection
    let hubProtocol: any HubProtocol
    private let pending = Locked<[HubMessage]>([])
    private let buffer = Locked<[UInt8]>([])

    init(_ transport: FakeTransportConnection, hubProtocol: any HubProtocol = JSONHubProtocol()) {
        self.transport = transport
        self.hubProtocol = hubProtocol
    }

    /// The next payload the client sent, raw.
    func nextPayload() async throws -> [UInt8] {
        try await withTimeout { [transport] in
            guard let payload = await transport.sent.next() else { throw TestTimeout() }
            return payload
        }
    }

    /// Reads the handshake request and answers it (with `error`, or success followed by `trailing`).
    @discardableResult
    func completeHandshake(error: String? = nil, trailing: [UInt8] = []) async throws -> String {
        let request = try await nextPayload()
        transport.receive(HandshakeProtocol.writeResponse(HandshakeResponse(error: error)) + trailing)
        return String(decoding: request, as: UTF8.self)
    }

    /// The next hub message the client sent.
    func nextMessage() async throws -> HubMessage {
        while true {
            if let message = pending.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return message }
            let payload = try await nextPayload()
            let all = buffer.withLock { $0 + payload }
            let (messages, consumed) = try hubProtocol.parseMessages(all[...])
            buffer.withLock { $0 = Array(all[consumed...]) }
            pending.withLock { $0.append(contentsOf: messages) }
        }
    }

    /// The next Invocation the client sent (skipping Pings).
    func nextInvocation() async throws -> InvocationMessage {
        while true {
            switch try await nextMessage() {
            case .invocation(let invocation): return invocation
            case .ping: continue
            case let other: throw TestFailure("Expected an invocation, got \(other.messageType).")
            }
        }
    }

    /// Sends a hub message to the client.
    func send(_ message: HubMessage) throws {
        transport.receive(try hubProtocol.writeMessage(message))
    }

    /// Sends a Completion with a JSON result.
    func complete(_ invocationId: String?, json: String) {
        transport.receive(#"{"type":3,"invocationId":"\#(invocationId ?? "")","result":\#(json)}"# + "\u{1e}")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Collects the errors `onClose` handlers receive.
actor CloseRecorder {
    private(set) var calls: [SignalRError?] = []
    private let arrivals = CountWaiters()

    func record(_ error: SignalRError?) {
        calls.append(error)
        arrivals.reached(calls.count)
    }

    /// Waits (bounded by the caller's timeout) until `count` calls were recorded.
    func waitForCalls(_ count: Int) async throws {
        await arrivals.wait(for: count)
    }
}

/// A connection on fake transports, a manual clock and a capturing logger.
struct Harness {
    let connection: HubConnection
    let factory: FakeConnectionFactory
    let clock: ManualClock
    let logs: LogCapture

    init(
        transports: [FakeTransportConnection] = [FakeTransportConnection()],
        failures: [SignalRError] = [],
        connectionId: String? = "conn-1",
        holdConnect: Bool = false,
        configure: (HubConnectionBuilder) -> HubConnectionBuilder = { $0 }
    ) throws {
        let results = failures.map { Result<FakeTransportConnection, SignalRError>.failure($0) } + transports.map { .success($0) }
        factory = FakeConnectionFactory(results, connectionId: connectionId, holdConnect: holdConnect)
        clock = ManualClock()
        logs = LogCapture()
        var builder = configure(
            HubConnectionBuilder()
                .withUrl("http://localhost/hub")
                .withClock(clock)
                .configureLogging(logs.logger(level: .trace))
        )
        builder.connectionFactory = factory
        connection = try builder.build()
    }

    /// Starts the connection on `server`, completing the handshake and reading the first Ping.
    func start(_ server: FakeServer) async throws {
        try await withTimeout { [connection] in
            async let started: Void = connection.start()
            try await server.completeHandshake()
            try await started
        }
        guard case .ping = try await server.nextMessage() else { throw TestFailure("Expected the first Ping.") }
    }
}
