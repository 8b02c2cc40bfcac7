/// One child task of a connection's owner task (see ``ConnectionTaskOwner``): a transport's
/// run, the session's received calls and uploads, or a reconnect run.
///
/// A task group cannot cancel or await one of its children, so the child carries both:
/// ``cancel()`` cancels only this child; ``value`` returns once it has ended. Code inside the
/// child can ask ``isCurrent`` before awaiting it (a handler calling `stop()` must not wait for
/// the task it runs in).
final class ChildTask: Sendable {
    private struct State {
        var ended = false
        var cancelRequested = false
        /// The child's watcher, parked until ``cancel()`` or the child's end.
        var cancelWatcher: CheckedContinuation<Void, Never>?
        var endWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The child the current task runs in (one marker for every kind of child).
    @TaskLocal static var current: ObjectIdentifier?

    private let state = Locked(State())

    /// Whether the calling code runs inside this child.
    var isCurrent: Bool { Self.current == ObjectIdentifier(self) }

    /// Cancels this child (its body sees task cancellation); does nothing once it has ended.
    func cancel() {
        let watcher = state.withLock { state in
            state.cancelRequested = true
            defer { state.cancelWatcher = nil }
            return state.cancelWatcher
        }
        watcher?.resume()
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

    /// Runs `body` as this child: a sibling task waits for ``cancel()`` and then cancels it.
    func run(_ body: @escaping @Sendable () async -> Void) async {
        await Self.$current.withValue(ObjectIdentifier(self)) {
            await withTaskGroup(of: Void.self) { race in
                race.addTask { await body() }
                race.addTask { await self.cancelRequested() }
                await race.next()
                // Either the body ended (the watcher goes) or cancel() came (the body is cancelled
                // and the group waits for it to return).
                race.cancelAll()
            }
        }
        let waiters = state.withLock { state in
            state.ended = true
            defer { state.endWaiters = [] }
            return state.endWaiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Returns when ``cancel()`` is called or the watching task is cancelled.
    private func cancelRequested() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (watcher: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.cancelRequested || Task.isCancelled { return true }
                    state.cancelWatcher = watcher
                    return false
                }
                if resumeNow { watcher.resume() }
            }
        } onCancel: {
            let watcher = state.withLock { state in
                defer { state.cancelWatcher = nil }
                return state.cancelWatcher
            }
            watcher?.resume()
        }
    }
}
