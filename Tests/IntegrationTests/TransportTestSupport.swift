import Foundation
import Logging
import SignalRProtocol
import SignalRServer
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// Raw transport tests against the in-repo hub: negotiate by hand, connect a transport to
/// `{hub}?id=<token>`, and speak the hub protocol bytes directly.
enum TransportTest {
    static let handshake = Array("{\"protocol\":\"json\",\"version\":1}\u{1E}".utf8)
    static let messagePackHandshake = Array("{\"protocol\":\"messagepack\",\"version\":1}\u{1E}".utf8)

    /// A JSON invocation of the test hub's `Add`.
    static func add(_ a: Int, _ b: Int, id: String) -> [UInt8] {
        Array("{\"type\":1,\"invocationId\":\"\(id)\",\"target\":\"Add\",\"arguments\":[\(a),\(b)]}\u{1E}".utf8)
    }

    /// The negotiated ids of a new connection.
    struct Negotiated: Sendable {
        var connectionId: String
        var connectionToken: String
        var transportURL: String
    }

    /// `POST {hub}/negotiate?negotiateVersion=1` with AsyncHTTPClient.
    static func negotiate(_ hubURL: String) async throws -> Negotiated {
        let requester = AsyncHTTPClientRequester(logger: Logger(label: "test"))
        let result = try await requester.post(
            url: hubURL + "/negotiate?negotiateVersion=1", headers: [:], timeout: .seconds(10)
        )
        #expect(result.statusCode == 200)
        let response = try NegotiateResponse.parse(result.body)
        let connectionId = try #require(response.connectionId)
        let token = try #require(response.connectionToken)
        return Negotiated(connectionId: connectionId, connectionToken: token, transportURL: hubURL + "?id=" + token)
    }

    static func request(_ url: String, _ format: TransferFormat = .text, headers: [String: String] = [:]) -> TransportRequest {
        TransportRequest(url: url, transferFormat: format, headers: headers)
    }
}

/// Reads the records (JSON texts ending in 0x1E) from a transport's frames, whatever the
/// framing: several records per frame, or one record over several frames. Every wait is bounded.
actor RecordReader {
    private let frames: AsyncThrowingStream<[UInt8], any Error>
    private var buffer: [UInt8] = []

    init(_ frames: AsyncThrowingStream<[UInt8], any Error>) {
        self.frames = frames
    }

    /// The next record without its 0x1E; nil when the frames ended cleanly.
    /// - Throws: the error the frames ended with, or ``TimeoutError`` after `limit`.
    func next(within limit: Duration = .seconds(10)) async throws -> String? {
        while true {
            if let end = buffer.firstIndex(of: 0x1E) {
                let record = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(...end)
                return record
            }
            guard let frame = try await nextFrame(within: limit) else { return nil }
            buffer += frame
        }
    }

    /// The next raw frame; nil when the frames ended cleanly.
    func nextFrame(within limit: Duration = .seconds(10)) async throws -> [UInt8]? {
        // An iterator is a reference to the stream's storage: each one reads where the last stopped.
        let frames = self.frames
        return try await withTimeout(limit, "a frame") {
            var iterator = frames.makeAsyncIterator()
            return try await iterator.next()
        }
    }

    /// Reads records until one contains `text`, returning it; fails at the end of the frames.
    func record(containing text: String, within limit: Duration = .seconds(10)) async throws -> String {
        while true {
            guard let record = try await next(within: limit) else {
                throw TimeoutError(what: "a record containing \(text) (frames ended)", limit: limit)
            }
            if record.contains(text) { return record }
        }
    }

    /// Reads to the end of the frames, returning the error they ended with (nil: a clean end).
    func drain(within limit: Duration = .seconds(10)) async -> (any Error)? {
        do {
            while try await next(within: limit) != nil {}
            return nil
        } catch {
            return error
        }
    }
}

/// One cell of the transport × hub protocol matrix: a single allowed transport and a protocol
/// the transport can carry (Server-Sent Events is text only, so it has no MessagePack cell).
struct TransportCase: Sendable, CustomTestStringConvertible {
    var transport: HttpTransportType
    var kind: ProtocolKind

    /// Every cell: WebSockets and Long Polling with both protocols, Server-Sent Events with JSON.
    static let all: [TransportCase] = [
        TransportCase(transport: .webSockets, kind: .json),
        TransportCase(transport: .webSockets, kind: .messagepack),
        TransportCase(transport: .serverSentEvents, kind: .json),
        TransportCase(transport: .longPolling, kind: .json),
        TransportCase(transport: .longPolling, kind: .messagepack),
    ]

    /// The transport's wire name, as the hub's `GetTransport` answers it.
    var transportName: String { transport.name ?? "\(transport)" }

    /// Options that allow only this cell's transport, so the connection cannot end up on another.
    var options: HttpConnectionOptions { HttpConnectionOptions(transports: transport) }

    var testDescription: String { "\(transportName)/\(kind.rawValue)" }

    /// A hub server for matrix tests: polls are held for a short time, so empty 200s happen
    /// during tests and stopping the server never waits long for a held poll.
    static var serverConfiguration: HubServerConfiguration {
        var configuration = HubServerConfiguration()
        configuration.longPollTimeout = .seconds(1)
        return configuration
    }

    /// A started connection to `url` over this cell's transport and protocol.
    func connect(_ url: String, configure: (HubConnectionBuilder) -> HubConnectionBuilder = { $0 }) async throws -> HubConnection {
        try await IntegrationTests.connect(url, kind, options: options, configure: configure)
    }
}

/// An upload source that records "started" when the connection first reads it (the connection
/// reads a call's uploads only after the call's message was written), then yields `base`.
struct StartSignalingSource: AsyncSequence, Sendable {
    let base: AsyncStream<Int>
    let started: EventRecorder<String>

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<Int>.Iterator
        let started: EventRecorder<String>
        var isFirst = true

        mutating func next() async -> Int? {
            if isFirst {
                isFirst = false
                started.record("started")
            }
            return await base.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), started: started)
    }
}

/// Keeps the messages a connection logs, so tests can check the official client's wording.
final class LogMessages: Sendable {
    private let messages = Locked<[String]>([])

    /// A logger at `level` that records into this.
    func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "test") { _ in Handler(sink: self) }
        logger.logLevel = level
        return logger
    }

    /// Every message so far, in order.
    var all: [String] { messages.withLock { $0 } }

    fileprivate func append(_ message: String) { messages.withLock { $0.append(message) } }

    private struct Handler: LogHandler {
        let sink: LogMessages
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) { sink.append("\(event.message)") }
    }
}

/// The built-in transports, each wrapped to record its name when the client tries it and to run
/// `beforeConnect` first (tests switch transports off on the server there, after negotiate
/// has offered them, so the server itself refuses the connection).
struct WatchedTransportFactory: TransportFactory {
    let tried = Locked<[String]>([])
    let beforeConnect: @Sendable (HttpTransportType) async -> Void

    init(beforeConnect: @escaping @Sendable (HttpTransportType) async -> Void = { _ in }) {
        self.beforeConnect = beforeConnect
    }

    /// The transports tried so far, by wire name, in order.
    var triedNames: [String] { tried.withLock { $0 } }

    func makeTransport(for type: HttpTransportType, logger: Logger) -> (any Transport)? {
        guard let inner = DefaultTransportFactory().makeTransport(for: type, logger: logger) else { return nil }
        return Watched(type: type, inner: inner, factory: self)
    }

    private struct Watched: Transport {
        let type: HttpTransportType
        let inner: any Transport
        let factory: WatchedTransportFactory

        func connect(_ request: TransportRequest) async throws -> any TransportConnection {
            factory.tried.withLock { $0.append(type.name ?? "\(type)") }
            await factory.beforeConnect(type)
            return try await inner.connect(request)
        }
    }
}
