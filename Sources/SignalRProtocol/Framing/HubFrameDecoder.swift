/// Reads one side of a connection: the handshake first, then hub messages.
///
/// Every SignalR connection starts with a JSON handshake ended by 0x1E, whatever the hub
/// protocol, and may carry hub messages in the same transport frame right after it. The
/// client reads the server's response, the server reads the client's request (and picks the
/// hub protocol from it). Feed it transport frames or partial reads as they come; it keeps
/// what is incomplete. No I/O: the client and the hub server both drive it.
///
/// ```swift
/// var decoder = HubFrameDecoder.client(hubProtocol: JSONHubProtocol())
/// let decoded = try decoder.decode(frame)
/// if let response = decoded.handshakeResponse, let error = response.error { … }
/// for message in decoded.messages { … }
/// ```
public struct HubFrameDecoder: Sendable {
    /// What one call of ``decode(_:)`` produced.
    public struct Decoded: Sendable {
        /// The client's handshake request, once complete (server side only). Hub messages then
        /// wait until the server picks the protocol with ``acceptHandshake(hubProtocol:)``.
        public var handshakeRequest: HandshakeRequest?
        /// The server's handshake response, once complete (client side only). After a response
        /// with an error, the decoder reads nothing more.
        public var handshakeResponse: HandshakeResponse?
        /// The hub messages completed by these bytes, in order.
        public var messages: [HubMessage] = []
    }

    /// Why reading failed. The decoder must then be discarded along with the connection.
    public struct DecodingError: Error, Sendable, CustomStringConvertible {
        /// What was being read.
        public enum Stage: Sendable, Equatable {
            /// The handshake request or response.
            case handshake
            /// Hub messages after the handshake.
            case messages
        }

        /// What was being read.
        public let stage: Stage
        /// The parser's error, usually a ``HubProtocolError``.
        public let underlying: any Error

        public var description: String { "\(underlying)" }
    }

    private enum State: Sendable {
        /// Client side: waiting for the server's response, holding the bytes read so far.
        case awaitingResponse(HubMessageReader, pending: [UInt8])
        /// Server side: waiting for the client's request.
        case awaitingRequest(pending: [UInt8])
        /// Server side: the request was read; bytes wait for the hub protocol to be picked.
        case awaitingProtocol(pending: [UInt8])
        case messages(HubMessageReader)
        /// The handshake was refused or the input was malformed: later input is dropped.
        case finished
    }

    private var state: State

    private init(state: State) {
        self.state = state
    }

    /// A decoder for the client side.
    /// - Parameters:
    ///   - hubProtocol: the protocol the client asked for in its handshake request.
    ///   - expectingHandshake: false for a transport that stateful reconnect resumed: hub
    ///     messages come at once, without a handshake.
    public static func client(hubProtocol: any HubProtocol, expectingHandshake: Bool = true) -> HubFrameDecoder {
        let reader = HubMessageReader(hubProtocol: hubProtocol)
        return HubFrameDecoder(state: expectingHandshake ? .awaitingResponse(reader, pending: []) : .messages(reader))
    }

    /// A decoder that reads hub messages at once, with no handshake (either side, once the
    /// handshake is done: a transport that stateful reconnect resumed starts a new one).
    public static func afterHandshake(hubProtocol: any HubProtocol) -> HubFrameDecoder {
        HubFrameDecoder(state: .messages(HubMessageReader(hubProtocol: hubProtocol)))
    }

    /// A decoder for the server side: reads the handshake request, then waits for
    /// ``acceptHandshake(hubProtocol:)``.
    public static func server() -> HubFrameDecoder {
        HubFrameDecoder(state: .awaitingRequest(pending: []))
    }

    /// Whether the handshake has not been read yet.
    public var isAwaitingHandshake: Bool {
        switch state {
        case .awaitingResponse, .awaitingRequest: return true
        case .awaitingProtocol, .messages, .finished: return false
        }
    }

    /// Adds received bytes and returns what they complete.
    /// - Throws: ``DecodingError`` for a malformed handshake or hub message; later calls then
    ///   return nothing.
    public mutating func decode(_ bytes: [UInt8]) throws(DecodingError) -> Decoded {
        var decoded = Decoded()
        // Each case takes its data out and leaves `.finished` behind while it works, so the
        // buffers are uniquely referenced and grow in place (AHC's `.modifying` trick).
        let current = state
        state = .finished
        switch current {
        case .finished:
            return decoded
        case .awaitingProtocol(var pending):
            pending.append(contentsOf: bytes)
            state = .awaitingProtocol(pending: pending)
            return decoded
        case .messages(var reader):
            decoded.messages = try readMessages(&reader, bytes)
            state = .messages(reader)
            return decoded
        case .awaitingRequest(var pending):
            pending.append(contentsOf: bytes)
            let parsed: (request: HandshakeRequest, consumed: Int)?
            do {
                parsed = try HandshakeProtocol.parseRequest(pending[...])
            } catch {
                state = .finished
                throw DecodingError(stage: .handshake, underlying: error)
            }
            guard let (request, consumed) = parsed else {
                state = .awaitingRequest(pending: pending)
                return decoded
            }
            decoded.handshakeRequest = request
            state = .awaitingProtocol(pending: Array(pending[consumed...]))
            return decoded
        case .awaitingResponse(var reader, var pending):
            let input: [UInt8]
            if pending.isEmpty {
                input = bytes
            } else {
                pending.append(contentsOf: bytes)
                input = pending
            }
            let parsed: (response: HandshakeResponse, consumed: Int)?
            do {
                parsed = try HandshakeProtocol.parseResponse(input[...])
            } catch {
                state = .finished
                throw DecodingError(stage: .handshake, underlying: error)
            }
            guard let (response, consumed) = parsed else {
                state = .awaitingResponse(reader, pending: input)
                return decoded
            }
            decoded.handshakeResponse = response
            guard response.error == nil else {
                state = .finished
                return decoded
            }
            if consumed < input.count {
                decoded.messages = try readMessages(&reader, Array(input[consumed...]))
            }
            state = .messages(reader)
            return decoded
        }
    }

    /// Server side: the hub protocol picked for the request; returns the hub messages that
    /// arrived after the request meanwhile. Does nothing unless a request was read.
    /// - Throws: ``DecodingError`` for a malformed hub message.
    public mutating func acceptHandshake(hubProtocol: any HubProtocol) throws(DecodingError) -> [HubMessage] {
        guard case .awaitingProtocol(let pending) = state else { return [] }
        var reader = HubMessageReader(hubProtocol: hubProtocol)
        let messages = pending.isEmpty ? [] : try readMessages(&reader, pending)
        state = .messages(reader)
        return messages
    }

    /// The handshake was refused (server side): later input is dropped.
    public mutating func refuseHandshake() {
        state = .finished
    }

    private mutating func readMessages(_ reader: inout HubMessageReader, _ bytes: [UInt8]) throws(DecodingError) -> [HubMessage] {
        do {
            return try reader.append(bytes)
        } catch {
            state = .finished
            throw DecodingError(stage: .messages, underlying: error)
        }
    }
}
