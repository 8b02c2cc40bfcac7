/// Type 3: the end of an invocation or stream.
///
/// The spec forbids a Completion with both a result and an error, so the outcome
/// is one ``CompletionResult``.
public struct CompletionMessage: Sendable {
    /// Message headers.
    public var headers: [String: String]
    /// The id of the call or stream that ended.
    public var invocationId: String
    /// How it ended.
    public var result: CompletionResult

    /// Creates a completion message.
    public init(invocationId: String, result: CompletionResult, headers: [String: String] = [:]) {
        self.headers = headers
        self.invocationId = invocationId
        self.result = result
    }

    /// The error text, when the call failed.
    public var error: String? {
        if case .error(let text) = result { return text }
        return nil
    }
}

/// The outcome carried by a ``CompletionMessage`` (MessagePack result kinds 1, 2 and 3).
public enum CompletionResult: Sendable {
    /// Result kind 1: the call failed with this message.
    case error(String)
    /// Result kind 2: the call completed without a value (a `void` method, or the end of a stream).
    case void
    /// Result kind 3: the call returned this value (which may be `null`).
    case value(HubValue)
}
