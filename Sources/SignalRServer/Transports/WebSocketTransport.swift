import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import HummingbirdCore
import NIOCore
import NIOWebSocket

/// The WebSockets transport: one WebSocket per connection (or per resume with stateful reconnect).
enum WebSocketTransport {
    /// Decides whether a WebSocket request at `head` may upgrade, and to which connection.
    /// A request without `id` creates a connection on the fly (clients that skip negotiate).
    /// - Returns: the connection and what its hub methods see of the request, or nil to refuse.
    ///   Hummingbird answers every refused upgrade with 400, an unauthorized one included (ASP.NET
    ///   Core answers that one 401); the refusal is recorded with status 400.
    static func connection(
        for head: HTTPRequest, endpoints: [String: HubEndpoint], hooks: any HubServerHooks
    ) async -> (ServerConnection, TransportRequest, HubEndpoint)? {
        let uri = URI(head.path ?? "/")
        let path = normalizedPath(uri.path)
        guard let endpoint = endpoints[path] else { return nil }
        let disabled = await endpoint.hooks.disabledTransports()
        guard endpoint.configuration.transports.contains(.webSockets), !disabled.contains(.webSockets) else { return nil }
        let request = HTTPHelpers.transportRequest(headers: head.headerFields, uri: uri)
        guard await HubRequestMiddleware.isAuthorized(
            kind: .webSocket, path: path, request: request, authorize: endpoint.configuration.authorize)
        else {
            hooks.requestAnswered {
                HubRequestRecord(kind: .webSocket, path: path, headers: request.headers, query: request.query, status: 400)
            }
            return nil
        }
        await endpoint.counters.update { $0.transportRequests[.webSockets, default: 0] += 1 }
        let connection: ServerConnection
        if let token = request.query["id"], !token.isEmpty {
            guard let found = await endpoint.registry.connection(token: token) else { return nil }
            connection = found
        } else {
            guard let created = await endpoint.createConnection(negotiateVersion: 0, statefulReconnect: false) else {
                return nil
            }
            connection = created
        }
        hooks.requestAnswered {
            HubRequestRecord(kind: .webSocket, path: path, headers: request.headers, query: request.query, status: 101)
        }
        return (connection, request, endpoint)
    }

    /// Carries the connection over an upgraded WebSocket until either side ends it.
    static func run(
        connection: ServerConnection, request: TransportRequest, endpoint: HubEndpoint,
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel
    ) async {
        let abort: @Sendable () -> Void = { channel.close(promise: nil) }
        let attached = await connection.attach(.webSockets, request: request, abort: abort)
        guard case .attached(let session) = attached else {
            endpoint.logger.debug("WebSocket refused by the connection", metadata: ["signalr.result": "\(attached)"])
            return
        }
        // The reader is an `async let` child rather than a task group's: its task lives in this
        // task's allocator instead of a heap block of its own with a group beside it (0.6 to
        // 0.8 KiB less per connection at 1,000 clients). Leaving the scope cancels it and
        // waits for it.
        async let _ = readFrames(connection: connection, session: session, inbound: inbound, logger: endpoint.logger)
        // The writer runs in this task (one task less per socket); it returns once the
        // session ended, and the reader is cancelled then.
        await writeFrames(connection: connection, session: session, outbound: outbound, channel: channel)
    }

    private static func readFrames(
        connection: ServerConnection, session: Int, inbound: WebSocketInboundStream, logger: Logger
    ) async {
        do {
            // Frames go on as bytes, fragments included, as ASP.NET Core reads a socket into a
            // pipe: SignalR frames its own messages, and the hub protocol joins what is split and
            // enforces `maximumReceiveMessageSize`. Joining WebSocket messages first (and making a
            // `String` of a text one) would copy every message twice more.
            for try await frame in inbound {
                await connection.receive(Array(frame.data.readableBytesView), session: session)
            }
        } catch {
            logger.trace("WebSocket read ended", metadata: ["signalr.error": "\(error)"])
        }
        // The client went away: ending the session ends the writer.
        await connection.detach(session: session)
    }

    private static func writeFrames(
        connection: ServerConnection, session: Int, outbound: WebSocketOutboundWriter, channel: any Channel
    ) async {
        while true {
            switch await connection.nextFrames(session: session, timeout: nil) {
            case .frames(let frames):
                do {
                    for message in coalesced(frames) { try await outbound.write(message) }
                } catch {
                    return
                }
            case .timedOut:
                continue
            case .ended(let abrupt):
                if abrupt { channel.close(promise: nil) }
                return
            }
        }
    }

    /// The most bytes of hub messages joined into one WebSocket message.
    static let coalescingLimit = 1 << 16

    /// Joins queued hub messages into as few WebSocket messages as possible, as ASP.NET Core
    /// sends what its pipe holds in one message: SignalR frames each hub message itself, so
    /// one write and one flush (one system call) carry many. Frames of another kind (the text
    /// handshake answer before binary messages) and frames over ``coalescingLimit`` stay apart;
    /// the writer fragments those that exceed the frame size.
    static func coalesced(_ frames: [OutboundFrame]) -> [WebSocketOutboundWriter.OutboundFrame] {
        // One small frame (a reply with nothing queued behind it, the common case) goes as it
        // is: no joined copy and no array of messages to build.
        if frames.count == 1, let frame = frames.first, frame.bytes.count <= coalescingLimit {
            let opcode: WebSocketOpcode = frame.isBinary ? .binary : .text
            return [.custom(WebSocketFrame(fin: true, opcode: opcode, data: ByteBuffer(bytes: frame.bytes)))]
        }
        var messages: [WebSocketOutboundWriter.OutboundFrame] = []
        var joined: [UInt8] = []
        var joinedIsBinary = false
        func flushJoined() {
            guard !joined.isEmpty else { return }
            let opcode: WebSocketOpcode = joinedIsBinary ? .binary : .text
            messages.append(.custom(WebSocketFrame(fin: true, opcode: opcode, data: ByteBuffer(bytes: joined))))
            joined.removeAll(keepingCapacity: true)
        }
        for frame in frames {
            if frame.bytes.count > coalescingLimit {
                flushJoined()
                messages.append(frame.isBinary
                    ? .binary(ByteBuffer(bytes: frame.bytes)) : .text(String(decoding: frame.bytes, as: UTF8.self)))
                continue
            }
            if frame.isBinary != joinedIsBinary || joined.count + frame.bytes.count > coalescingLimit {
                flushJoined()
                joinedIsBinary = frame.isBinary
            }
            joined += frame.bytes
        }
        flushJoined()
        return messages
    }

    /// `/hubs/test/` and `/hubs/test` name the same hub.
    static func normalizedPath(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
