import Foundation
import Logging
import SignalRProtocol
@testable import SignalRClient
import SignalRTestSupport

/// Reads an `AsyncStream` one element at a time from sequential test code.
actor StreamReader<Element: Sendable> {
    private var iterator: AsyncStream<Element>.Iterator

    init(_ stream: AsyncStream<Element>) { iterator = stream.makeAsyncIterator() }

    func next() async -> Element? {
        // AsyncStream's iterator is a reference to the stream's storage: a copy reads the same elements.
        var copy = iterator
        let element = await copy.next(isolation: self)
        iterator = copy
        return element
    }
}

/// An in-memory transport connection: tests play the server.
final class FakeTransportConnection: TransportConnection {
    let frames: AsyncThrowingStream<[UInt8], any Error>
    private let framesContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    private let sentContinuation: AsyncStream<[UInt8]>.Continuation
    /// What the client sent, payload by payload.
    let sent: StreamReader<[UInt8]>
    private let state = Locked((closed: false, closeCount: 0))
    let hasInherentKeepAlive: Bool

    init(hasInherentKeepAlive: Bool = false) {
        (frames, framesContinuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        let (sentStream, sentContinuation) = AsyncStream.makeStream(of: [UInt8].self)
        self.sentContinuation = sentContinuation
        self.sent = StreamReader(sentStream)
        self.hasInherentKeepAlive = hasInherentKeepAlive
    }

    func send(_ data: [UInt8]) async throws {
        if state.withLock({ $0.closed }) { throw SignalRError(.transportFailed, "The fake transport is closed.") }
        sentContinuation.yield(data)
    }

    func close() async {
        state.withLock {
            $0.closed = true
            $0.closeCount += 1
        }
        framesContinuation.finish()
        sentContinuation.finish()
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Whether the hub connection read through this type's own ``receive(isolation:_:)``.
    let readThroughReceive = Locked(false)

    /// Reads ``frames``, recording that a transport's own `receive` was reached (a call that
    /// binds to the protocol extension's instead would not be).
    func receive(isolation: isolated (any Actor)?, _ body: ([UInt8]) async throws -> Void) async throws {
        readThroughReceive.withLock { $0 = true }
        for try await frame in frames { try await body(frame) }
    }

    // MARK: Server side

    /// Delivers bytes to the client.
    func receive(_ bytes: [UInt8]) { framesContinuation.yield(bytes) }

    /// Delivers text to the client.
    func receive(_ text: String) { receive(Array(text.utf8)) }

    /// The server drops the connection with `error` (nil: clean close).
    func serverClose(error: (any Error)? = nil) {
        state.withLock { $0.closed = true }
        framesContinuation.finish(throwing: error)
        sentContinuation.finish()
    }
}

/// Hands out prepared transports (or failures) to `HubConnection.start()`.
final class FakeConnectionFactory: ConnectionFactory {
    private let queue: Locked<[Result<FakeTransportConnection, SignalRError>]>
    let connectionId: String?
    /// How many times start asked for a connection.
    let attempts = Locked(0)
    /// Waited on before answering (to test stop during negotiation).
    let gate: Locked<CheckedContinuation<Void, Never>?> = Locked(nil)
    /// How many connects have been held at the gate so far.
    private let held = CountWaiters()
    /// How many held connects ``release()`` has let go so far.
    private let releases = Locked(0)
    let holdConnect: Bool

    init(_ results: [Result<FakeTransportConnection, SignalRError>], connectionId: String? = "conn-1", holdConnect: Bool = false) {
        self.queue = Locked(results)
        self.connectionId = connectionId
        self.holdConnect = holdConnect
    }

    func connect(transferFormat: TransferFormat, logger: Logger, opener: TransportOpener) async throws -> EstablishedConnection {
        attempts.withLock { $0 += 1 }
        if holdConnect {
            await withCheckedContinuation { continuation in
                gate.withLock { $0 = continuation }
                held.increment()
            }
        }
        let next = queue.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch next {
        case .success(let transport)?:
            return EstablishedConnection(scope: try await opener.open(transport), connectionId: connectionId, transportName: "Fake")
        case .failure(let error)?:
            throw error
        case nil:
            throw SignalRError(.transportFailed, "No fake transport left.")
        }
    }

    /// Lets the next held connect go on, once it is held (bound it with the caller's timeout).
    func release() async throws {
        let number = releases.withLock { count in
            count += 1
            return count
        }
        await held.wait(for: number)
        try Task.checkCancellation()
        gate.withLock { $0.take() }?.resume()
    }
}

/// A transport whose connection is already open: opening it in a scope hands out that
/// connection, as a real transport's `run` would after connecting.
struct ReadyTransport: Transport {
    let connection: any TransportConnection

    func connect(_ request: TransportRequest) async throws -> any TransportConnection { connection }
}

extension TransportOpener {
    /// Opens an already-connected fake in a scope of the connection's owner task.
    func open(_ connection: any TransportConnection) async throws -> TransportScope {
        try await open(ReadyTransport(connection: connection), TransportRequest(url: "http://fake/hub", transferFormat: .text, headers: [:]))
    }
}
