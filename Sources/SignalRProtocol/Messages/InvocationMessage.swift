/// Type 1: a call of `target` with `arguments` on the peer.
///
/// Without an `invocationId` the call is non-blocking: the peer must not answer it.
/// Upload streams are listed in `streamIds` and are not part of `arguments`.
public struct InvocationMessage: Sendable {
    /// Message headers (string keys and values); peers ignore ones they do not know.
    public var headers: [String: String]
    /// The id the peer answers with; `nil` for a non-blocking call.
    public var invocationId: String?
    /// The method name.
    public var target: String
    /// The arguments, in order, lazily decoded.
    public var arguments: [HubValue]
    /// Ids of the upload streams that go with this call.
    public var streamIds: [String]

    /// Creates an invocation message.
    public init(
        invocationId: String?,
        target: String,
        arguments: [HubValue],
        streamIds: [String] = [],
        headers: [String: String] = [:]
    ) {
        self.headers = headers
        self.invocationId = invocationId
        self.target = target
        self.arguments = arguments
        self.streamIds = streamIds
    }
}

/// Type 4: a call of a streaming method; the peer answers with StreamItems and a Completion.
public struct StreamInvocationMessage: Sendable {
    /// Message headers.
    public var headers: [String: String]
    /// The id of the stream; always present.
    public var invocationId: String
    /// The method name.
    public var target: String
    /// The arguments, in order, lazily decoded.
    public var arguments: [HubValue]
    /// Ids of the upload streams that go with this call.
    public var streamIds: [String]

    /// Creates a stream invocation message.
    public init(
        invocationId: String,
        target: String,
        arguments: [HubValue],
        streamIds: [String] = [],
        headers: [String: String] = [:]
    ) {
        self.headers = headers
        self.invocationId = invocationId
        self.target = target
        self.arguments = arguments
        self.streamIds = streamIds
    }
}
