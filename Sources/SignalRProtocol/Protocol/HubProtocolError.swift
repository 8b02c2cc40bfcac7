/// A hub message or handshake that could not be read or written.
///
/// Switch over ``code`` (with a `default:`, more codes may come); ``message``
/// says what was wrong in words a user can act on.
public struct HubProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Equatable {
        /// The bytes are not valid JSON.
        case invalidJSON
        /// The bytes are not valid MessagePack.
        case invalidMessagePack
        /// A field the message type requires is missing.
        case missingField
        /// A field has the wrong type.
        case invalidFieldType
        /// A message is larger than the configured maximum size.
        case messageTooLarge
        /// A binary frame's VarInt length prefix is longer than 5 bytes or out of range.
        case invalidLengthPrefix
        /// Nesting is deeper than the parser allows.
        case depthLimitExceeded
        /// The handshake request or response is malformed.
        case invalidHandshake
        /// A value cannot be encoded or decoded as asked.
        case invalidValue
    }

    /// The kind of failure.
    public let code: Code
    /// What was wrong.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
