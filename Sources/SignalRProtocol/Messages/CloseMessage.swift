/// Type 7: the sender closes the connection, optionally with an error.
public struct CloseMessage: Sendable, Equatable {
    /// Why the connection closed; `nil` for a normal close.
    public var error: String?
    /// Whether a client with automatic reconnect should try to reconnect.
    public var allowReconnect: Bool

    /// Creates a close message.
    public init(error: String? = nil, allowReconnect: Bool = false) {
        self.error = error
        self.allowReconnect = allowReconnect
    }
}

/// Type 8: the sender has received every sequenced message up to `sequenceId` (stateful reconnect).
public struct AckMessage: Sendable, Equatable {
    /// The highest sequence id received.
    public var sequenceId: Int64

    /// Creates an ack message.
    public init(sequenceId: Int64) { self.sequenceId = sequenceId }
}

/// Type 9: after a reconnect, the sender's next sequenced message has id `sequenceId`.
public struct SequenceMessage: Sendable, Equatable {
    /// The id of the next sequenced message the sender will send (or resend).
    public var sequenceId: Int64

    /// Creates a sequence message.
    public init(sequenceId: Int64) { self.sequenceId = sequenceId }
}
