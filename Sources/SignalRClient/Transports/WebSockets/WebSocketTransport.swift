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
        let (opened, openedContinuation) = AsyncThrowingStream.makeStream(of: WebSocketOutboundWriter.self)
        let (frames, framesContinuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        let (closeRequests, closeContinuation) = AsyncStream.makeStream(of: Void.self)
        let session = WebSocketSession(
            url: url, configuration: configuration, tlsConfiguration: request.tlsConfiguration, logger: logger,
            frames: framesContinuation, closeRequests: closeRequests
        )
        let runTask = Task { await session.run(opened: openedContinuation) }
        do {
            for try await writer in opened {
                return WebSocketConnection(
                    frames: frames, writer: writer, transferFormat: request.transferFormat,
                    closeRequest: closeContinuation, runTask: runTask
                )
            }
            throw CancellationError()
        } catch {
            closeContinuation.finish()
            runTask.cancel()
            await runTask.value
            throw error
        }
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

/// One WebSocket connection: the scoped `WebSocketClient.connect` runs in the task that
/// ``WebSocketTransport`` owns; the frames it reads go to an `AsyncThrowingStream`.
struct WebSocketSession: Sendable {
    let url: String
    let configuration: WebSocketClientConfiguration
    let tlsConfiguration: TLSConfiguration?
    let logger: Logger
    let frames: AsyncThrowingStream<[UInt8], any Error>.Continuation
    let closeRequests: AsyncStream<Void>

    func run(opened: AsyncThrowingStream<WebSocketOutboundWriter, any Error>.Continuation) async {
        let closeRequested = Locked(false)
        do {
            let closeFrame = try await WebSocketClient.connect(
                url: url, configuration: configuration, tlsConfiguration: tlsConfiguration, logger: logger
            ) { inbound, outbound, _ in
                opened.yield(outbound)
                opened.finish()
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask {
                        // Frames go on as bytes, fragments included: SignalR frames its own
                        // messages (the hub frame decoder joins what is split and enforces the
                        // protocol's size limit), so joining fragments into a `String` here
                        // would only copy and validate each message once more.
                        for try await frame in inbound {
                            frames.yield(Array(frame.data.readableBytesView))
                        }
                        return false
                    }
                    group.addTask {
                        for await _ in closeRequests {}
                        guard !Task.isCancelled else { return false }
                        try? await outbound.close(.normalClosure, reason: nil)
                        try await Task.sleep(for: WebSocketTransport.closeTimeout)
                        return true
                    }
                    let requested = try await group.next() ?? false
                    closeRequested.withLock { $0 = requested }
                    group.cancelAll()
                }
            }
            let closeError = Self.closeError(closeFrame, closeRequested: closeRequested.withLock { $0 })
            // The server may close right after the upgrade, before the handler ran: connect() must not wait forever.
            opened.finish(throwing: closeError ?? SignalRError(.transportFailed, "WebSocket closed before it opened."))
            frames.finish(throwing: closeError)
        } catch {
            let wrapped = Self.connectError(error)
            opened.finish(throwing: wrapped)
            frames.finish(throwing: wrapped)
        }
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
    let frames: AsyncThrowingStream<[UInt8], any Error>
    let writer: WebSocketOutboundWriter
    let transferFormat: TransferFormat
    let closeRequest: AsyncStream<Void>.Continuation
    let runTask: Task<Void, Never>

    var hasInherentKeepAlive: Bool { false }

    func send(_ data: [UInt8]) async throws {
        do {
            if data.count <= WebSocketTransport.maximumFrameSize {
                // One frame straight from the bytes: no `String` to build and convert back.
                let opcode: WebSocketOpcode = transferFormat == .text ? .text : .binary
                try await writer.write(.custom(WebSocketFrame(fin: true, opcode: opcode, data: ByteBuffer(bytes: data))))
                return
            }
            switch transferFormat {
            case .text: try await writer.writeTextMessage(String(decoding: data, as: UTF8.self))
            case .binary: try await writer.writeBinaryMessage(ByteBuffer(bytes: data))
            }
        } catch {
            throw SignalRError(.transportFailed, "WebSocket is not in the OPEN state.", underlyingError: error)
        }
    }

    func close() async {
        closeRequest.finish()
        await runTask.value
    }
}
