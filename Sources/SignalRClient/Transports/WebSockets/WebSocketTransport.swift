import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import SignalRProtocol
import WSClient

/// The WebSockets transport on swift-websocket's `WebSocketClient`.
///
/// `ws`/`wss` from `http`/`https`; text frames for the text transfer format, binary for binary.
/// Received frames are passed on as bytes whatever their opcode: the hub protocol decides how
/// to read them. Headers (including `Authorization` and `Cookie`) go on the upgrade request. TLS
/// uses ``TransportRequest/tlsConfiguration``, by default the system's trust roots with normal
/// certificate and host name checks.
struct WebSocketTransport: Transport {
    /// The largest frame accepted or sent before fragmenting, in bytes.
    static let maximumFrameSize = 1 << 24
    /// How long a close we started may wait for the server's close frame.
    static let closeTimeout: Duration = .seconds(5)

    let logger: Logger

    /// - Throws: ``SignalRError`` (``SignalRError/Code/transportFailed``) when the socket cannot be
    ///   opened or upgraded, when TLS fails, or for a `wss` URL whose host is an IP address.
    func connect(_ request: TransportRequest) async throws -> any TransportConnection {
        try await TransportJobs.connect(work(request))
    }

    /// The socket's scope runs as a child of the calling task.
    /// - Throws: as ``connect(_:)``, or what `body` throws.
    func run<Value>(
        _ request: TransportRequest, isolation: isolated (any Actor)?,
        _ body: (any TransportConnection) async throws -> Value
    ) async throws -> Value {
        try await TransportJobs.run(isolation: isolation, work(request), body)
    }

    /// The work of one connection: the scoped `WebSocketClient.connect` (see ``WebSocketSession``).
    private func work(_ request: TransportRequest) throws -> TransportWork {
        let url = Self.webSocketURL(request.url)
        if url.lowercased().hasPrefix("wss://"), Self.hostIsIPAddress(url) {
            // swift-websocket sends the host as the TLS server name (SNI), which must not be an
            // address; NIOSSL refuses with a low-level error. Say what to do instead.
            throw SignalRError(
                .transportFailed,
                "WebSockets over TLS need a host name, not an IP address: use a name the server's certificate lists (for example 'localhost' for 127.0.0.1)."
            )
        }
        var configuration = WebSocketClientConfiguration(
            maxFrameSize: Self.maximumFrameSize,
            closeTimeout: Self.closeTimeout
        )
        for (name, value) in request.headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            configuration.additionalHeaders[fieldName] = value
        }
        logger.debug("Connecting WebSocket.", metadata: ["signalr.url": "\(url)"])
        let session = WebSocketSession(
            url: url, configuration: configuration, tlsConfiguration: request.tlsConfiguration,
            transferFormat: request.transferFormat, logger: logger
        )
        return { task, opening in await session.run(task: task, opening: opening) }
    }

    /// Whether the host of `url` is an IPv4 address or a bracketed IPv6 address.
    static func hostIsIPAddress(_ url: String) -> Bool {
        guard let schemeEnd = url.range(of: "://") else { return false }
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@").last ?? authority
        if hostAndPort.hasPrefix("[") { return true }
        let host = hostAndPort.split(separator: ":", maxSplits: 1).first ?? hostAndPort
        return !host.isEmpty && host.allSatisfy { $0.isNumber || $0 == "." } && host.contains(".")
    }

    /// `http(s)://…` → `ws(s)://…`; other URLs unchanged.
    static func webSocketURL(_ url: String) -> String {
        if url.lowercased().hasPrefix("https://") { return "wss://" + url.dropFirst("https://".count) }
        if url.lowercased().hasPrefix("http://") { return "ws://" + url.dropFirst("http://".count) }
        return url
    }
}

/// What the scoped `WebSocketClient.connect` hands out once the socket is open.
struct OpenedWebSocket: Sendable {
    let writer: WebSocketOutboundWriter
    let inbound: WebSocketInboundStream
}

/// Who reads a WebSocket's inbound frames, when that is over, and whether a close was asked for.
///
/// The reader is the hub connection's receive loop, in its own task: frames go from NIO to
/// the task that decodes them with no task in between. The scope of `WebSocketClient.connect`
/// must stay open while the reader reads (swift-websocket reads the inbound stream itself once
/// the scope ends, and a stream has one reader at a time), so the scope waits here, and sends
/// the close frame itself when ``requestClose()`` comes first: one task for both.
final class WebSocketReader: Sendable {
    /// What the scope of `WebSocketClient.connect` waits for.
    enum ScopeEvent: Equatable, Sendable {
        /// ``requestClose()`` was called while reading went on: send the close frame.
        case closeRequested
        /// Reading is over (or will never start); the scope may end.
        case readingDone
    }

    private enum State {
        case idle
        case reading
        case done
    }

    private struct Waiting {
        var state = State.idle
        /// A close was asked for and the scope has not been told yet.
        var closePending = false
        var scope: CheckedContinuation<ScopeEvent, Never>?
    }

    private let waiting = Locked(Waiting())

    /// Claims the inbound stream. False when reading is over already (the connection closed
    /// before anyone read): there is nothing to read.
    func begin() -> Bool {
        waiting.withLock { waiting in
            guard case .idle = waiting.state else { return false }
            waiting.state = .reading
            return true
        }
    }

    /// Reading is over, or will not start: the scope may end.
    func finish() {
        let scope: CheckedContinuation<ScopeEvent, Never>? = waiting.withLock { waiting in
            waiting.state = .done
            defer { waiting.scope = nil }
            return waiting.scope
        }
        scope?.resume(returning: .readingDone)
    }

    /// Asks the scope to send the close frame. A later call may ask again; the scope sends the
    /// frame once and then only waits for the reading to end.
    func requestClose() {
        let scope: CheckedContinuation<ScopeEvent, Never>? = waiting.withLock { waiting in
            guard let scope = waiting.scope else {
                waiting.closePending = true
                return nil
            }
            waiting.scope = nil
            return scope
        }
        scope?.resume(returning: .closeRequested)
    }

    /// Whether a reader is reading now.
    var isReading: Bool {
        waiting.withLock { waiting in
            if case .reading = waiting.state { return true }
            return false
        }
    }

    /// The next thing the scope must act on: a close request (reported once), or the end of
    /// reading. Not cancellable on purpose: the scope must not end while the reader may still
    /// be inside the stream (cancelling the session closes the socket's input instead, which
    /// ends the reading).
    func nextScopeEvent() async -> ScopeEvent {
        await withCheckedContinuation { (scope: CheckedContinuation<ScopeEvent, Never>) in
            let now: ScopeEvent? = waiting.withLock { waiting in
                if case .done = waiting.state { return .readingDone }
                if waiting.closePending {
                    waiting.closePending = false
                    return .closeRequested
                }
                waiting.scope = scope
                return nil
            }
            if let now { scope.resume(returning: now) }
        }
    }
}

/// One WebSocket connection: the scoped `WebSocketClient.connect` runs in the connection's
/// job task (``TransportJobs``), hands out the open connection, sends the close frame when
/// asked, and stays open until the reader is done.
///
/// A class: the job's closure and every async frame that calls ``run(task:opening:)`` then hold
/// one reference instead of a copy of the configuration (measured with `signalr bench
/// --scenario connect`: about 0.7 KiB less per idle connection).
final class WebSocketSession: Sendable {
    let url: String
    let configuration: WebSocketClientConfiguration
    let tlsConfiguration: TLSConfiguration?
    let transferFormat: TransferFormat
    let logger: Logger

    init(
        url: String, configuration: WebSocketClientConfiguration, tlsConfiguration: TLSConfiguration?,
        transferFormat: TransferFormat, logger: Logger
    ) {
        self.url = url
        self.configuration = configuration
        self.tlsConfiguration = tlsConfiguration
        self.transferFormat = transferFormat
        self.logger = logger
    }

    /// Runs the connection in `task` and reports it to `opening`; records how it ended in
    /// the connection's ``WebSocketConnection/end`` (nil for a clean close) before returning.
    func run(task: ChildTask, opening: TransportOpening<any TransportConnection>) async {
        let reader = WebSocketReader()
        let endBox = Locked<SignalRError?>(nil)
        // Whether we sent the close frame (the socket's end is then clean without the server's).
        let closeSent = Locked(false)
        let end: SignalRError?
        let transferFormat = transferFormat
        do {
            let closeFrame = try await WebSocketClient.connect(
                url: url, configuration: configuration, tlsConfiguration: tlsConfiguration, logger: logger
            ) { inbound, outbound, _ in
                let connection = WebSocketConnection(
                    socket: OpenedWebSocket(writer: outbound, inbound: inbound), transferFormat: transferFormat,
                    reader: reader, task: task, end: endBox
                )
                // Nobody waits any more (a cancelled start): leaving the scope closes the socket.
                guard opening.succeed(connection) else { return }
                guard await reader.nextScopeEvent() == .closeRequested else { return }
                closeSent.withLock { $0 = true }
                // Sent from the scope's own task, which nothing of ours cancels before the close
                // timeout: a cancelled write drops the close frame while the socket already
                // counts as closing, and the server, never asked, would not answer. (A cancelled
                // caller of the scoped `run` cancels this task too and cuts the close short.)
                try? await outbound.close(.normalClosure, reason: nil)
                while await reader.nextScopeEvent() != .readingDone {}
            }
            end = Self.closeError(closeFrame, closeRequested: closeSent.withLock { $0 })
            // The server may close right after the upgrade, before the handler ran: the waiter must not wait forever.
            opening.fail(end ?? SignalRError(.transportFailed, "WebSocket closed before it opened."))
        } catch {
            end = Self.connectError(error)
            opening.fail(end ?? SignalRError.notConnected)
        }
        endBox.withLock { $0 = end }
        reader.finish()
        logger.trace("(WebSockets transport) socket closed.")
    }

    /// The official client's rule: a close other than a clean 1000 is an error.
    static func closeError(_ frame: WebSocketCloseFrame?, closeRequested: Bool) -> SignalRError? {
        guard let frame else {
            if closeRequested { return nil }
            return SignalRError(.transportFailed, "WebSocket closed with status code: 1006 (no reason given).")
        }
        let code = UInt16(webSocketErrorCode: frame.closeCode)
        if code == 1000 { return nil }
        let reason = frame.reason.flatMap { $0.isEmpty ? nil : $0 } ?? "no reason given"
        return SignalRError(.transportFailed, "WebSocket closed with status code: \(code) (\(reason)).")
    }

    static func connectError(_ error: any Error) -> SignalRError {
        if let error = error as? SignalRError { return error }
        if let error = error as? WebSocketClientError, error == .webSocketUpgradeFailed {
            return SignalRError(
                .transportFailed,
                "WebSocket failed to connect. The connection could not be found on the server, either the endpoint may not be a SignalR endpoint, the connection ID is not present on the server, or there is a proxy blocking WebSockets. If you have multiple servers check that sticky sessions are enabled.",
                underlyingError: error
            )
        }
        return SignalRError(.transportFailed, "WebSocket failed: \(TLSFailureText.describe(error))", underlyingError: error)
    }
}

/// The open side of a ``WebSocketSession``.
struct WebSocketConnection: TransportConnection {
    let socket: OpenedWebSocket
    let transferFormat: TransferFormat
    let reader: WebSocketReader
    /// The session's job (``WebSocketSession/run(task:opening:)``).
    let task: ChildTask
    /// How the socket ended (nil for a clean close), set before ``task`` ends.
    let end: Locked<SignalRError?>
    /// Set by ``close()``: later sends fail at once.
    let closing = Locked(false)

    var hasInherentKeepAlive: Bool { false }

    /// Messages queued while a write was in flight leave in one WebSocket message: one write
    /// and one flush for many, as the official .NET client sends what its pipe holds. SignalR
    /// frames every hub message itself, so servers read them as before.
    var prefersBatchedSends: Bool { true }

    /// A batch stays within 64 KiB (the in-repo hub joins its replies within the same size), so
    /// joining never makes a WebSocket message that a server's frame limit refuses when each hub
    /// message alone passes it (the in-repo hub's frame limit is 1 MiB).
    var maximumBatchSize: Int { 64 * 1024 }

    /// Reads the socket in the caller's task (see ``receive(isolation:_:)``): every payload
    /// goes on as bytes, fragments included, since SignalR frames its own messages (the hub
    /// frame decoder joins what is split and enforces the protocol's size limit).
    func receive(isolation: isolated (any Actor)?, _ body: ([UInt8]) async throws -> Void) async throws {
        guard reader.begin() else {
            if let end = await ended() { throw end }
            return
        }
        var failure: (any Error)?
        do {
            for try await frame in socket.inbound { try await body(Array(frame.data.readableBytesView)) }
        } catch {
            failure = error
        }
        reader.finish()
        // How the socket ended (its close code) is known once the session's scope is over.
        if let end = await ended() { throw end }
        if let failure { throw SignalRError.wrapping(failure) }
    }

    /// Waits until the session's job has ended; returns how the socket ended.
    private func ended() async -> SignalRError? {
        await task.value
        return end.withLock { $0 }
    }

    /// The payloads as a stream, for code that wants one (the hub connection uses
    /// ``receive(isolation:_:)``): a task of its own reads the socket.
    var frames: AsyncThrowingStream<[UInt8], any Error> {
        let (frames, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        let reading = Task {
            do {
                try await receive(isolation: nil) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in reading.cancel() }
        return frames
    }

    /// The official client's text for a send on a socket that is closing or closed.
    static let notOpenText = "WebSocket is not in the OPEN state"

    /// Sends `data` as one message (a text frame for the text transfer format).
    /// - Throws: ``SignalRError`` (``SignalRError/Code/transportFailed``) with "WebSocket is not in
    ///   the OPEN state" once ``close()`` was called or the socket has closed.
    func send(_ data: [UInt8]) async throws {
        // Nothing may follow our close frame; swift-websocket only refuses once the scope ended.
        guard !closing.withLock({ $0 }) else { throw SignalRError(.transportFailed, Self.notOpenText) }
        do {
            if data.count <= WebSocketTransport.maximumFrameSize {
                // One frame straight from the bytes: no `String` to build and convert back.
                let opcode: WebSocketOpcode = transferFormat == .text ? .text : .binary
                try await socket.writer.write(.custom(WebSocketFrame(fin: true, opcode: opcode, data: ByteBuffer(bytes: data))))
                return
            }
            switch transferFormat {
            case .text: try await socket.writer.writeTextMessage(String(decoding: data, as: UTF8.self))
            case .binary: try await socket.writer.writeBinaryMessage(ByteBuffer(bytes: data))
            }
        } catch {
            throw SignalRError(.transportFailed, Self.notOpenText, underlyingError: error)
        }
    }

    /// Sends the close frame and waits until the socket is released: the server's close frame
    /// ends the reading; after ``WebSocketTransport/closeTimeout`` without it, the session is
    /// cancelled, which closes the socket's input. With nobody reading, reading is over at once.
    func close() async {
        closing.withLock { $0 = true }
        reader.requestClose()
        if !reader.isReading { reader.finish() }
        await withDiscardingTaskGroup { group in
            group.addTask {
                try? await Task.sleep(for: WebSocketTransport.closeTimeout)
                if !Task.isCancelled { task.cancel() }
            }
            await task.value
            group.cancelAll()
        }
    }
}
