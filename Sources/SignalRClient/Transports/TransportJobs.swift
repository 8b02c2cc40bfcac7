/// The background work of one built-in transport connection (the WebSocket's scope, the
/// Server-Sent Events `GET` and its sender, the Long Polling loop). It runs in `task`, reports
/// the open connection (or why it did not open) to `opening`, and returns once the connection
/// is released. The connection it hands out keeps `task` to cancel and await it on close.
typealias TransportWork = @Sendable (_ task: ChildTask, _ opening: TransportOpening<any TransportConnection>) async -> Void

/// The one place where the built-in transports start, hand out and end their background work,
/// in both of ``Transport``'s forms.
enum TransportJobs {
    /// ``Transport/connect(_:)``: the work runs in a task of its own, which the returned
    /// connection owns (its `close()` ends and awaits it), since the connection outlives this call.
    /// - Throws: why the connection did not open; `CancellationError` when the calling task is
    ///   cancelled first. The work has ended when this throws.
    static func connect(_ work: @escaping TransportWork) async throws -> any TransportConnection {
        let task = ChildTask()
        let opening = TransportOpening<any TransportConnection>()
        // The connect form hands the connection out of this call, so its work cannot be a child
        // of the caller; `run(isolation:_:_:)` is the structured form.
        Task { await task.run { await work(task, opening) } }
        do {
            return try await opening.wait(cancelling: task)
        } catch {
            await task.value
            throw error
        }
    }

    /// ``Transport/run(_:isolation:_:)``: the work is a child task of the caller, `body` runs
    /// in the calling task with the open connection, and the connection is closed (and its
    /// work awaited) before this returns.
    /// - Returns: what `body` returns.
    /// - Throws: why the connection did not open (`CancellationError` when the calling task is
    ///   cancelled first), or what `body` throws.
    static func run<Value>(
        isolation: isolated (any Actor)?, _ work: @escaping TransportWork,
        _ body: (any TransportConnection) async throws -> Value
    ) async throws -> Value {
        let task = ChildTask()
        let opening = TransportOpening<any TransportConnection>()
        return try await withThrowingTaskGroup(of: Void.self, returning: Value.self, isolation: isolation) { group in
            group.addTask { await task.run { await work(task, opening) } }
            return try await opening.wait(cancelling: task).closing(after: body, isolation: isolation)
        }
    }
}
