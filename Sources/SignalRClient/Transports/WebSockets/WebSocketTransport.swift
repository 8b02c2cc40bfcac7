import HTTPTypes
import Logging
import NIOCore
import NIOWebSocket
import SignalRProtocol
import WSClient

/// The WebSockets transport on swift-websocket's `WebSocketClient`.
///
/// `ws`/`wss` from `http`/`https`; text frames for the text transfer format, binary for binary.
/// Received frames are passed on as bytes whatever their opcode: the hub protocol decides how
/// to read them. Headers (including `Authorization`) go on the upgrade request. TLS uses the
/// system's trust roots with normal certificate checks.
struct WebSocketTransport: Transport {
    /// The largest frame accepted or sent before fragmenting, in bytes.
    static let maximumFrameSize = 1 << 24
    /// The largest message (after joining fragments) accepted, in bytes.
    static let maximumMessageSize = 1 << 26
    /// How long a close we started may wait for the server's close frame.
    static let closeTimeout: Duration = .seconds(5)

    let logger: Logger

    func connect(_ request: TransportRequest) async throws -> any TransportConnection {
        let url = Self.webSocketURL(request.url)
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
            url: url, configuration: configuration, logger: logger,
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
    let logger: Logger
    let frames: AsyncThrowingStream<[UInt8], any Error>.Continuation
    let closeRequests: AsyncStream<Void>

    func run(opened: AsyncThrowingStream<WebSocketOutboundWriter, any Error>.Continuation) async {
        let closeRequested = Locked(false)
        do {
            let closeFrame = try await WebSocketClient.connect(
                url: url, configuration: configuration, logger: logger
            ) { inbound, outbound, _ in
                opened.yield(outbound)
                opened.finish()
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask {
                        for try await message in inbound.messages(maxSize: WebSocketTransport.maximumMessageSize) {
                            switch message {
                            case .text(let text): frames.yield(Array(text.utf8))
                            case .binary(let buffer): frames.yield(Array(buffer.readableBytesView))
                            }
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
        return SignalRError(.transportFailed, "WebSocket failed: \(error)", underlyingError: error)
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
