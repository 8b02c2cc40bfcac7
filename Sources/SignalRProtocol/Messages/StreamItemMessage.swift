/// Type 2: one item of a stream identified by `invocationId`.
public struct StreamItemMessage: Sendable {
    /// Message headers.
    public var headers: [String: String]
    /// The stream's id (the StreamInvocation's id, or an upload's stream id).
    public var invocationId: String
    /// The item, lazily decoded.
    public var item: HubValue

    /// Creates a stream item message.
    public init(invocationId: String, item: HubValue, headers: [String: String] = [:]) {
        self.headers = headers
        self.invocationId = invocationId
        self.item = item
    }
}

/// Type 5: asks the peer to stop the stream or invocation `invocationId`.
public struct CancelInvocationMessage: Sendable, Equatable {
    /// Message headers.
    public var headers: [String: String]
    /// The id of the call to cancel.
    public var invocationId: String

    /// Creates a cancel message.
    public init(invocationId: String, headers: [String: String] = [:]) {
        self.headers = headers
        self.invocationId = invocationId
    }
}
