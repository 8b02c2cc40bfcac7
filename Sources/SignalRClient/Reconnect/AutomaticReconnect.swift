/// Whether and how a ``HubConnection`` reconnects after losing its connection; pass it to
/// `HubConnectionBuilder.withAutomaticReconnect(_:)`.
///
/// ```swift
/// builder.withAutomaticReconnect(.default)                              // 0, 2, 10, 30 s
/// builder.withAutomaticReconnect(.delays([.zero, .seconds(5)]))
/// builder.withAutomaticReconnect(.policy(MyRetryPolicy()))
/// builder.withAutomaticReconnect(.disabled)                             // a lost connection is final
/// ```
public struct AutomaticReconnect: Sendable {
    private enum Base: Sendable {
        case disabled
        case policy(any RetryPolicy)
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// No automatic reconnect: a lost connection is final (the default of the builder).
    public static let disabled = AutomaticReconnect(.disabled)
    /// The official client's schedule: attempts after 0, 2, 10 and 30 seconds, then give up.
    public static let `default` = AutomaticReconnect(.policy(DefaultRetryPolicy()))

    /// Attempts after each of `delays`, then gives up.
    /// - Parameter delays: the delay before each attempt.
    public static func delays(_ delays: [Duration]) -> AutomaticReconnect {
        AutomaticReconnect(.policy(DefaultRetryPolicy(delays: delays)))
    }

    /// Asks `policy` before each attempt.
    /// - Parameter policy: answers the delay before the next attempt, or nil to give up.
    public static func policy(_ policy: any RetryPolicy) -> AutomaticReconnect {
        AutomaticReconnect(.policy(policy))
    }

    /// The policy to ask, or nil when automatic reconnect is off.
    var retryPolicy: (any RetryPolicy)? {
        switch base {
        case .disabled: return nil
        case .policy(let policy): return policy
        }
    }
}

/// Settings of stateful reconnect (`IStatefulReconnectOptions` of the official client).
public struct StatefulReconnectOptions: Sendable {
    /// The official client's buffer size: 100,000 bytes.
    public static let defaultBufferSize = 100_000

    /// How many bytes of sent, not yet acknowledged messages the client keeps for replay
    /// before further sends wait for the server's acknowledgement (default 100,000).
    public var bufferSize: Int

    /// Creates options.
    /// - Parameter bufferSize: the replay buffer's size in bytes (default 100,000).
    public init(bufferSize: Int = StatefulReconnectOptions.defaultBufferSize) {
        self.bufferSize = bufferSize
    }
}
