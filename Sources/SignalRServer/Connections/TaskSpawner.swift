/// Runs work submitted from anywhere as child tasks of one owning task.
///
/// The owner calls ``run()`` inside its own scope; ``spawn(_:)`` may be called from any
/// context and the work becomes a child of that `run()` call, so cancelling the owner
/// cancels every spawned task, and `run()` returns only when all of them have ended
/// (structured concurrency without handing a task group around).
struct TaskSpawner: Sendable {
    typealias Work = @Sendable () async -> Void

    private let stream: AsyncStream<Work>
    private let continuation: AsyncStream<Work>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Work.self)
    }

    /// Submits `work`; returns false (and drops it) once ``finish()`` was called.
    @discardableResult
    func spawn(_ work: @escaping Work) -> Bool {
        if case .enqueued = continuation.yield(work) { return true }
        return false
    }

    /// Stops accepting work; ``run()`` returns when the running work has ended.
    func finish() {
        continuation.finish()
    }

    /// Runs submitted work until ``finish()`` is called and all of it has ended.
    ///
    /// Cancelling the calling task cancels every child.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await work in stream {
                group.addTask { await work() }
            }
        }
    }
}

extension TaskSpawner {
    /// Runs submitted work one item at a time, in submission order (the owner's
    /// ``run()`` executes each item to completion before the next).
    struct Serial: Sendable {
        private let stream: AsyncStream<Work>
        private let continuation: AsyncStream<Work>.Continuation

        init() {
            (stream, continuation) = AsyncStream.makeStream(of: Work.self)
        }

        /// Submits `work`; returns false (and drops it) once ``finish()`` was called.
        @discardableResult
        func spawn(_ work: @escaping Work) -> Bool {
            if case .enqueued = continuation.yield(work) { return true }
            return false
        }

        /// Stops accepting work.
        func finish() {
            continuation.finish()
        }

        /// Runs the work in order until ``finish()``; cancelling the caller cancels the current item
        /// and skips the rest.
        func run() async {
            for await work in stream {
                if Task.isCancelled { continue }
                await work()
            }
        }
    }
}
