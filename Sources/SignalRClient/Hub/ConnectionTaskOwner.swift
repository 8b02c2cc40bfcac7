/// The one unstructured task of a started connection: everything the connection runs in the
/// background (each transport's run, the session's received calls and uploads, reconnect
/// runs) is a child of it, so nothing outlives it and its end is the connection's end.
///
/// `start()` creates it; the actor hands it work with ``spawn(_:)``; once the connection is
/// disconnected the actor calls ``finish()``, and the task ends when its last child has.
/// Work comes from the actor's synchronous code, so it travels to the owner's task group
/// through a stream rather than `TaskGroup.addTask` (a group can only be fed by its own task).
final class ConnectionTaskOwner: Sendable {
    private struct Job: Sendable {
        let child: ChildTask
        let body: @Sendable () async -> Void
    }

    private let jobs: AsyncStream<Job>.Continuation
    /// The owner task; it ends after ``finish()`` once every child has ended.
    let task: Task<Void, Never>

    init() {
        let (stream, jobs) = AsyncStream.makeStream(of: Job.self)
        self.jobs = jobs
        self.task = Task {
            await withDiscardingTaskGroup { group in
                for await job in stream {
                    group.addTask { await job.child.run(job.body) }
                }
            }
        }
    }

    /// Runs `body` as a child. Returns nil once ``finish()`` was called.
    func spawn(_ body: @escaping @Sendable () async -> Void) -> ChildTask? {
        let child = ChildTask()
        guard case .enqueued = jobs.yield(Job(child: child, body: body)) else { return nil }
        return child
    }

    /// No more children: the task ends when the running ones have.
    func finish() {
        jobs.finish()
    }
}
