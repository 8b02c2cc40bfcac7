/// Decides when automatic reconnect tries again (`IRetryPolicy` of the official client).
///
/// The connection asks once when it is lost and again after each failed attempt. Return
/// the delay before the next attempt, or nil to stop reconnecting: the connection then
/// becomes ``HubConnectionState/disconnected`` and the ``HubConnection/onClose(_:)``
/// handlers run.
///
/// ```swift
/// struct RetryForAMinute: RetryPolicy {
///     func nextRetryDelay(_ context: RetryContext) -> Duration? {
///         context.elapsed < .seconds(60) ? .seconds(Int.random(in: 0...10)) : nil
///     }
/// }
/// let connection = try HubConnectionBuilder()
///     .withUrl("https://example.com/chathub")
///     .withAutomaticReconnect(RetryForAMinute())
///     .build()
/// ```
public protocol RetryPolicy: Sendable {
    /// The delay before the next reconnect attempt (the official client's
    /// `nextRetryDelayInMilliseconds`).
    /// - Parameter context: how many attempts failed so far, the time since the connection
    ///   was lost and why the last one failed.
    /// - Returns: the delay, or nil to stop reconnecting.
    func nextRetryDelay(_ context: RetryContext) -> Duration?
}

/// What a ``RetryPolicy`` knows when it is asked (`RetryContext` of the official client).
public struct RetryContext: Sendable {
    /// How many reconnect attempts failed so far: 0 when the connection was just lost.
    public var previousRetryCount: Int
    /// The time since the connection was lost (measured with the builder's clock; zero on
    /// the first question).
    public var elapsed: Duration
    /// Why the connection needs a new attempt: the error that ended the connection on the
    /// first question ("Attempting to reconnect due to a unknown error." when it ended
    /// without one), then the error of the last failed attempt.
    public var retryReason: SignalRError

    /// Creates a context (tests of custom policies use this).
    /// - Parameters:
    ///   - previousRetryCount: the attempts that failed so far.
    ///   - elapsed: the time since the connection was lost.
    ///   - retryReason: the error that caused the loss, or of the last failed attempt.
    public init(previousRetryCount: Int, elapsed: Duration, retryReason: SignalRError) {
        self.previousRetryCount = previousRetryCount
        self.elapsed = elapsed
        self.retryReason = retryReason
    }
}
