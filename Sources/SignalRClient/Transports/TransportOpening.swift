/// Hands one opened connection (or the reason it did not open) from the task that opens it
/// to the task that waits for it, once.
///
/// The opening task reports with ``succeed(_:)`` or ``fail(_:)``; the first report wins. The
/// waiter's cancellation before a report counts as a failure (`CancellationError`) and cancels
/// the opening task, so a cancelled `start()` does not wait for a socket that is still connecting.
final class TransportOpening<Connection: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Connection, any Error>?)
        case ended(Result<Connection, any Error>)
    }

    private let state = Locked(State.waiting(nil))

    /// Reports the open connection.
    /// - Returns: false when the opening had already ended (the waiter was cancelled): the
    ///   caller then owns `connection` and must close it.
    @discardableResult
    func succeed(_ connection: Connection) -> Bool {
        end(.success(connection))
    }

    /// Reports why the connection did not open; does nothing after a first report.
    func fail(_ error: any Error) {
        _ = end(.failure(error))
    }

    /// Waits for the report.
    /// - Parameter task: the opening task, cancelled when the waiting task is.
    /// - Returns: the open connection.
    /// - Throws: the reported failure, or `CancellationError` when the waiting task was cancelled first.
    func wait(cancelling task: ChildTask) async throws -> Connection {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Connection, any Error>) in
                let ended: Result<Connection, any Error>? = state.withLock { state in
                    switch state {
                    case .ended(let result): return result
                    case .waiting: state = .waiting(waiter)
                    }
                    return nil
                }
                if let ended { waiter.resume(with: ended) }
            }
        } onCancel: {
            // Only when the cancellation is the report: a connection handed over already is the
            // waiter's to run and close, and cancelling its work would end it under the waiter.
            if end(.failure(CancellationError())) { task.cancel() }
        }
    }

    private func end(_ result: Result<Connection, any Error>) -> Bool {
        let (accepted, waiter): (Bool, CheckedContinuation<Connection, any Error>?) = state.withLock { state in
            guard case .waiting(let waiter) = state else { return (false, nil) }
            state = .ended(result)
            return (true, waiter)
        }
        waiter?.resume(with: result)
        return accepted
    }
}
