import SignalRProtocol

/// Automatic reconnect in ``HubConnectionStateMachine``: a lost connection asks the retry
/// policy, waits in `reconnecting`, and each attempt is a `connecting` with `reconnect` set
/// (the official client's `_reconnect`).
extension HubConnectionStateMachine {
    /// Where one run of automatic reconnect stands.
    struct ReconnectProgress: Sendable, Equatable {
        /// Identifies the run (a later loss starts a new one).
        let id: Int
        /// When the connection was lost (clock offset).
        let startedAt: Duration
        /// Attempts that failed so far.
        var failedAttempts = 0
        /// The error of the loss, then of the last failed attempt.
        var lastError: SignalRError
        /// The error that ended the connection (nil for a clean close), for the whole run.
        let cause: SignalRError?
    }

    /// Waiting for the next attempt.
    struct Reconnecting: Sendable {
        var progress: ReconnectProgress
    }

    /// What the reconnect task starts with.
    struct ReconnectPlan: Sendable, Equatable {
        let id: Int
        /// The error that ended the connection (what onReconnecting receives).
        let error: SignalRError?
        /// The delay before the first attempt.
        let delay: Duration
    }

    /// How a failed reconnect attempt ends.
    enum AttemptFailedAction: Equatable {
        /// Not this attempt any more: nothing to do.
        case none
        /// Wait `delay`, then attempt again.
        case retry(delay: Duration, attempt: Int)
        /// stop() ended reconnecting: run onClose with nil, then resume the stop() calls.
        case stopped
        /// The policy gave up: run onClose with the last attempt's error, resume stop() calls.
        case gaveUp(SignalRError)
    }

    /// The message the retry policy gets when a connection ended without an error.
    static let unknownReconnectReason = SignalRError(
        .connectionClosed, "Attempting to reconnect due to a unknown error."
    )

    /// A started connection was lost at `now`: ask the retry policy (previousRetryCount 0,
    /// elapsed 0). A delay enters `reconnecting`; nil or no policy ends the connection.
    mutating func connectionLost(pending: [PendingCall], error: SignalRError?, now: Duration) -> ClosedAction {
        let outcome = ClosedOutcome(pending: pending, error: error)
        let reason = error ?? Self.unknownReconnectReason
        guard let retryPolicy,
            let delay = retryPolicy.nextRetryDelay(RetryContext(previousRetryCount: 0, elapsed: .zero, retryReason: reason))
        else {
            state = .disconnected(error)
            return .closed(outcome)
        }
        nextReconnectId += 1
        let progress = ReconnectProgress(id: nextReconnectId, startedAt: now, lastError: reason, cause: error)
        state = .reconnecting(Reconnecting(progress: progress))
        return .reconnect(outcome, ReconnectPlan(id: progress.id, error: error, delay: max(.zero, delay)))
    }

    /// Whether run `id` still waits for its next attempt (stop() may have ended it).
    func isReconnecting(id: Int) -> Bool {
        guard case .reconnecting(let reconnecting) = state else { return false }
        return reconnecting.progress.id == id
    }

    /// The delay of run `id` elapsed: begin an attempt.
    /// - Returns: the attempt's generation, or nil when stop() ended the run.
    mutating func reconnectDelayElapsed(id: Int) -> Int? {
        guard case .reconnecting(let reconnecting) = state, reconnecting.progress.id == id else { return nil }
        nextGeneration += 1
        state = .connecting(Connecting(generation: nextGeneration, reconnect: reconnecting.progress))
        return nextGeneration
    }

    /// A reconnect attempt failed with `error` and cleaned up: ask the policy again.
    mutating func reconnectAttemptFailed(generation: Int, error: SignalRError, now: Duration) -> AttemptFailedAction {
        guard case .connecting(let connecting) = state, connecting.generation == generation,
            var progress = connecting.reconnect
        else { return .none }
        if connecting.stopRequested {
            state = .disconnected(nil)
            return .stopped
        }
        let failure = connecting.failure ?? error
        progress.failedAttempts += 1
        progress.lastError = failure
        let context = RetryContext(
            previousRetryCount: progress.failedAttempts, elapsed: now - progress.startedAt, retryReason: failure
        )
        guard let delay = retryPolicy?.nextRetryDelay(context) else {
            state = .disconnected(failure)
            return .gaveUp(failure)
        }
        state = .reconnecting(Reconnecting(progress: progress))
        return .retry(delay: max(.zero, delay), attempt: progress.failedAttempts + 1)
    }
}
