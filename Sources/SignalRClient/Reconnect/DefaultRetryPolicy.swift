/// Retries after a fixed list of delays, then stops (`DefaultReconnectPolicy` of the
/// official client).
///
/// Attempt `n` (counting from 0) waits `delays[n]`; once the list is used up the policy
/// answers nil. The default list is 0, 2, 10 and 30 seconds.
///
/// ```swift
/// let policy = DefaultRetryPolicy(delays: [.zero, .seconds(5), .seconds(20)])
/// ```
public struct DefaultRetryPolicy: RetryPolicy {
    /// The official client's delays: 0, 2, 10 and 30 seconds.
    public static let defaultDelays: [Duration] = [.zero, .seconds(2), .seconds(10), .seconds(30)]

    /// The delays, one per attempt.
    public let delays: [Duration]

    /// Creates a policy.
    /// - Parameter delays: the delay before each attempt (negative delays count as zero).
    public init(delays: [Duration] = DefaultRetryPolicy.defaultDelays) {
        self.delays = delays
    }

    /// `delays[previousRetryCount]`, or nil once the list is used up.
    public func nextRetryDelay(_ context: RetryContext) -> Duration? {
        guard context.previousRetryCount >= 0, context.previousRetryCount < delays.count else { return nil }
        return max(.zero, delays[context.previousRetryCount])
    }
}
