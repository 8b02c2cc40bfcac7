import Foundation

/// The one error type of `SignalRClient`.
///
/// Switch over ``code`` (with a `default:`: more codes may come); ``message`` is the
/// text the official JavaScript client (`@microsoft/signalr`) gives for the same failure,
/// so logs and user-facing texts match across clients.
///
/// ```swift
/// do {
///     let sum: Int = try await connection.invoke("Add", 1, 2)
/// } catch let error as SignalRError where error.code == .hubError {
///     print("The hub said: \(error.message)")
/// }
/// ```
public struct SignalRError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case hubError, connectionClosed, canceled, handshakeRejected, negotiationFailed
            case transportFailed, timedOut, invalidState, protocolError, invalidConfiguration
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The hub method failed; ``SignalRError/message`` is the server's text.
        public static let hubError = Code(.hubError)
        /// The connection closed (or was closed) while the call was pending.
        public static let connectionClosed = Code(.connectionClosed)
        /// The operation was canceled by `stop()` before it could complete.
        public static let canceled = Code(.canceled)
        /// The server refused the hub handshake ("Server returned handshake error: …").
        public static let handshakeRejected = Code(.handshakeRejected)
        /// Negotiation failed: a non-2xx status (see ``SignalRError/statusCode``), an `error`
        /// in the response, an ASP.NET (non-Core) server, or too many redirects.
        public static let negotiationFailed = Code(.negotiationFailed)
        /// The transport could not connect or failed while connected.
        public static let transportFailed = Code(.transportFailed)
        /// The handshake or the server timeout elapsed.
        public static let timedOut = Code(.timedOut)
        /// The call is not allowed in the connection's current state.
        public static let invalidState = Code(.invalidState)
        /// A message could not be read or written, or a value had the wrong type.
        public static let protocolError = Code(.protocolError)
        /// The builder's settings are invalid.
        public static let invalidConfiguration = Code(.invalidConfiguration)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// The official client's text for this failure.
    public let message: String
    /// The HTTP status code, for ``Code/negotiationFailed`` caused by an unexpected status.
    public let statusCode: Int?
    /// The lower-level error that caused this one, if any (a socket or decoding error).
    public let underlyingError: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - message: the text users see.
    ///   - statusCode: the HTTP status, when one caused the failure.
    ///   - underlyingError: the lower-level cause.
    public init(_ code: Code, _ message: String, statusCode: Int? = nil, underlyingError: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.statusCode = statusCode
        self.underlyingError = underlyingError
    }

    /// The message.
    public var description: String { message }
    /// The message (what `localizedDescription` returns).
    public var errorDescription: String? { message }
}

extension SignalRError {
    /// "Cannot send data if the connection is not in the 'Connected' State."
    static let notConnected = SignalRError(
        .invalidState, "Cannot send data if the connection is not in the 'Connected' State."
    )

    /// "Invocation canceled due to the underlying connection being closed."
    static let invocationCanceledByClose = SignalRError(
        .connectionClosed, "Invocation canceled due to the underlying connection being closed."
    )

    /// Wraps any error as a ``SignalRError`` (kept as is when it already is one).
    static func wrapping(_ error: any Error, as code: Code = .transportFailed) -> SignalRError {
        if let error = error as? SignalRError { return error }
        return SignalRError(code, String(describing: error), underlyingError: error)
    }
}

extension SignalRError: Equatable {
    /// Two errors are equal when their code, message and status code are: the underlying
    /// error (a socket's or decoder's) is detail and does not take part.
    public static func == (lhs: SignalRError, rhs: SignalRError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.statusCode == rhs.statusCode
    }
}
