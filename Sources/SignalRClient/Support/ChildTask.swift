/// One child task that others cancel and wait for: a child of a connection's owner task (see
/// ``ConnectionTaskOwner``: a transport's scope, the session's received calls and uploads, a
/// reconnect run), or the background work of a built-in transport connection (``TransportJobs``).
///
/// A task group cannot cancel or await one of its children, so the child carries both:
/// ``cancel()`` cancels only this child (through its task's handle); ``value`` returns once it has ended. Code inside the
/// child can ask ``isCurrent`` before awaiting it (a handler calling `stop()` must not wait for
/// the task it runs in).
final class ChildTask: Sendable {
    private struct State {
        var ended = false
        var cancelRequested = false
        /// The child while its body runs: ``cancel()`` cancels it.
        var running: RunningChild?
        var endWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The handle of the task a child's body runs in.
    ///
    /// `@unchecked Sendable`, and safe: `UnsafeCurrentTask` is not `Sendable` because it must
    /// not outlive its task or be used outside `withUnsafeCurrentTask`. This one is stored only
    /// while ``run(_:)`` is inside that closure, in the task itself (set before the body starts,
    /// cleared before the closure returns), and ``cancel()`` uses it only under the same lock, so
    /// the task is alive whenever it is used. `cancel()` is one of the APIs the standard library
    /// documents as safe to call from another task. It replaces a second child task per child
    /// that would otherwise wait for ``cancel()`` (about 3 KiB each on an idle connection).
    private struct RunningChild: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    /// The child the current task runs in (one marker for every kind of child).
    @TaskLocal static var current: ObjectIdentifier?

    private let state = Locked(State())

    /// Whether the calling code runs inside this child.
    var isCurrent: Bool { Self.current == ObjectIdentifier(self) }

    /// Cancels this child (its body sees task cancellation); does nothing once it has ended.
    /// Must not be called from a task cancellation handler anywhere in the child's task tree,
    /// nor while holding a lock that such a handler takes: the lock is held while the handlers
    /// of the child and its descendants run.
    func cancel() {
        state.withLock { state in
            state.cancelRequested = true
            state.running?.task.cancel()
        }
    }

    /// Returns once the child has ended.
    var value: Void {
        get async {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let ended = state.withLock { state in
                    if !state.ended { state.endWaiters.append(waiter) }
                    return state.ended
                }
                if ended { waiter.resume() }
            }
        }
    }

    /// Runs `body` as this child, in the calling task (a child of the owner's task group).
    func run(_ body: @escaping @Sendable () async -> Void) async {
        await Self.$current.withValue(ObjectIdentifier(self)) {
            await withUnsafeCurrentTask { task in
                let cancelled = state.withLock { state in
                    if !state.cancelRequested, let task { state.running = RunningChild(task: task) }
                    return state.cancelRequested
                }
                if cancelled { task?.cancel() }
                await body()
                state.withLock { $0.running = nil }
            }
        }
        let waiters = state.withLock { state in
            state.ended = true
            defer { state.endWaiters = [] }
            return state.endWaiters
        }
        waiters.forEach { $0.resume() }
    }
}
