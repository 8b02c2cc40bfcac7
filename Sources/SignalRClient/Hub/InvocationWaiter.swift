import SignalRProtocol

/// Where the result of one `invoke` arrives.
///
/// Settles the race between the Completion (or the connection's end) and the caller's task
/// being cancelled, as AHC's `TransactionCancelHandler` does: whichever comes first wins,
/// later ones do nothing. A cancelled wait ends at once with `CancellationError`; a late
/// Completion is dropped.
///
/// The continuation is an `UnsafeContinuation`: the state under the lock hands it out once
/// (`waiting` → `consumed`), so it is resumed exactly once, and a checked one would cost an
/// allocation per call.
final class InvocationWaiter: Sendable {
    private enum State {
        case pending
        case waiting(UnsafeContinuation<CompletionResult, any Error>)
        case finished(Result<CompletionResult, any Error>)
        case consumed
    }

    private let state = Locked(State.pending)

    /// Waits for the outcome.
    /// - Throws: the connection's error, or `CancellationError` when the task is cancelled.
    /// - Parameter isolation: the caller's actor: the wait stays on it (no executor hop).
    func wait(isolation: isolated (any Actor)? = #isolation) async throws -> CompletionResult {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation(isolation: isolation) { (continuation: UnsafeContinuation<CompletionResult, any Error>) in
                let ready: Result<CompletionResult, any Error>? = state.withLock { state in
                    switch state {
                    case .pending:
                        state = .waiting(continuation)
                        return nil
                    case .finished(let result):
                        state = .consumed
                        return result
                    case .waiting, .consumed:
                        return .failure(SignalRError(.invalidState, "An invocation was awaited twice."))
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            finish(.failure(CancellationError()))
        }
    }

    /// Delivers the outcome; does nothing when one was already delivered.
    /// - Returns: whether this call delivered it.
    @discardableResult
    func finish(_ result: Result<CompletionResult, any Error>) -> Bool {
        let (continuation, delivered): (UnsafeContinuation<CompletionResult, any Error>?, Bool) = state.withLock { state in
            switch state {
            case .pending:
                state = .finished(result)
                return (nil, true)
            case .waiting(let continuation):
                state = .consumed
                return (continuation, true)
            case .finished, .consumed:
                return (nil, false)
            }
        }
        continuation?.resume(with: result)
        return delivered
    }
}
