import Foundation
import Logging
import SignalRProtocol
import SignalRServer
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// The WebSockets transport read in the caller's task (`receive`), against the in-repo hub
/// without negotiation: the reader gets every payload, a close from elsewhere ends the reading,
/// and a close with nobody reading does not wait for a reader.
@Suite(.timeLimit(.minutes(1))) struct WebSocketReceiveTests {
    static let handshake = HandshakeProtocol.writeRequest(HandshakeRequest(protocolName: "json", version: 1))

    static func connect(_ server: HubServer) async throws -> any TransportConnection {
        let transport = WebSocketTransport(logger: Logger(label: "ws-test"))
        return try await transport.connect(
            TransportRequest(url: await server.testHubURL, transferFormat: .text, headers: [:])
        )
    }

    /// A connection whose reading task runs and whose handshake response has arrived.
    static func openWithHandshake(
        _ server: HubServer
    ) async throws -> (any TransportConnection, Reader, Task<Void, any Error>) {
        let connection = try await connect(server)
        let reader = Reader()
        let reading = Task { try await reader.read(connection) }
        try await connection.send(handshake)
        _ = try await reader.arrivals.first()
        return (connection, reader, reading)
    }

    /// Collects payloads in the reading task; each arrival is recorded for the test to await.
    actor Reader {
        private(set) var received: [UInt8] = []
        let arrivals = EventRecorder<Int>()

        func read(_ connection: any TransportConnection) async throws {
            try await connection.receive(isolation: self) { payload in
                received += payload
                arrivals.record(payload.count)
            }
        }
    }

    @Test func theReaderGetsThePayloadsAndACloseFromElsewhereEndsTheReading() async throws {
        try await withServer { server in
            let (connection, reader, reading) = try await Self.openWithHandshake(server)
            // The handshake response ({} then 0x1E) came through the caller's reading task.
            #expect(await reader.received.prefix(3) == [UInt8(ascii: "{"), UInt8(ascii: "}"), 0x1E])
            try await connection.send(Array("{\"type\":1,\"invocationId\":\"1\",\"target\":\"Add\",\"arguments\":[2,3]}\u{1E}".utf8))
            try await withTimeout(.seconds(10), "the Completion") {
                while !String(decoding: await reader.received, as: UTF8.self).contains("\"result\":5") {
                    _ = try await reader.arrivals.first()
                }
            }
            try await withTimeout(.seconds(10), "close()") { await connection.close() }
            // A clean close: the reading ends without an error.
            try await withTimeout(.seconds(10), "the reading") { try await reading.value }
        }
    }

    @Test func aSendAfterCloseFailsWithTheOfficialText() async throws {
        try await withServer { server in
            let (connection, _, reading) = try await Self.openWithHandshake(server)
            try await withTimeout(.seconds(10), "close()") { await connection.close() }
            try await withTimeout(.seconds(10), "the reading") { try await reading.value }
            let error = await #expect(throws: SignalRError.self) { try await connection.send(Array("{\"type\":6}\u{1E}".utf8)) }
            // The official client's text, with no trailing period.
            #expect(error?.message == "WebSocket is not in the OPEN state")
        }
    }

    @Test func aSendAfterTheServerClosedFailsWithTheOfficialText() async throws {
        try await withServer { server in
            let (connection, _, reading) = try await Self.openWithHandshake(server)
            await server.dropAll()
            // The drop ends the reading (with the socket's 1006 error).
            let end = await caught { try await withTimeout(.seconds(10), "the reading") { try await reading.value } }
            #expect(!(end is TimeoutError))
            let error = await #expect(throws: SignalRError.self) { try await connection.send(Array("{\"type\":6}\u{1E}".utf8)) }
            #expect(error?.message == "WebSocket is not in the OPEN state")
            await connection.close()
        }
    }

    @Test func closeWithNobodyReadingReturnsAtOnceAndALateReaderReadsNothing() async throws {
        try await withServer { server in
            let connection = try await Self.connect(server)
            // The hub reads the socket (and so answers the close frame) once the handshake came.
            try await connection.send(Self.handshake)
            let clock = ContinuousClock()
            let start = clock.now
            try await withTimeout(.seconds(10), "close()") { await connection.close() }
            // Well under the 5 s close timeout: nobody was reading, so nothing was waited for.
            #expect(clock.now - start < WebSocketTransport.closeTimeout)
            // A reader that comes after the close reads nothing and ends without an error.
            let reader = Reader()
            try await withTimeout(.seconds(10), "the late reader") { try await reader.read(connection) }
            #expect(await reader.received.isEmpty)
        }
    }
}
