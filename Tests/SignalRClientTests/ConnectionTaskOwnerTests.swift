import SignalRTestSupport
import Testing
@testable import SignalRClient

/// The connection's one owner task and its children: each child can be cancelled and awaited
/// on its own, knows when code runs inside it, and the owner ends with its last child.
@Suite struct ConnectionTaskOwnerTests {
    @Test func aChildRunsAndItsEndCanBeAwaited() async throws {
        let owner = ConnectionTaskOwner()
        let (ran, ranContinuation) = AsyncStream.makeStream(of: Bool.self)
        let child = try #require(owner.spawn {
            ranContinuation.yield(ChildTask.current != nil)
            ranContinuation.finish()
        })
        try await withTimeout { await child.value }
        var iterator = ran.makeAsyncIterator()
        #expect(await iterator.next() == true)
        owner.finish()
        try await withTimeout { await owner.task.value }
    }

    @Test func cancelEndsOnlyThatChild() async throws {
        let owner = ConnectionTaskOwner()
        let (other, otherEnd) = AsyncStream.makeStream(of: Void.self)
        let sleeper = try #require(owner.spawn {
            try? await Task.sleep(for: .seconds(3_600))
        })
        let (siblingCancelled, report) = AsyncStream.makeStream(of: Bool.self)
        let waiter = try #require(owner.spawn {
            for await _ in other {}
            report.yield(Task.isCancelled)
            report.finish()
        })
        sleeper.cancel()
        try await withTimeout { await sleeper.value }
        // The sibling still runs, uncancelled, until its own end.
        otherEnd.finish()
        try await withTimeout { await waiter.value }
        var iterator = siblingCancelled.makeAsyncIterator()
        #expect(await iterator.next() == false)
        owner.finish()
        try await withTimeout { await owner.task.value }
    }

    @Test func theOwnerEndsOnlyWhenItsChildrenHave() async throws {
        let owner = ConnectionTaskOwner()
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        let child = try #require(owner.spawn { for await _ in gate {} })
        owner.finish()
        #expect(owner.spawn {} == nil)
        let ended = EndFlag()
        let watcher = Task {
            await owner.task.value
            ended.set()
        }
        open.finish()
        try await withTimeout { await child.value }
        try await withTimeout { await watcher.value }
        #expect(ended.isSet)
    }

    @Test func codeInsideAChildKnowsIt() async throws {
        let owner = ConnectionTaskOwner()
        let box = ChildBox()
        let (answers, answer) = AsyncStream.makeStream(of: Bool.self)
        let (go, start) = AsyncStream.makeStream(of: Void.self)
        let child = try #require(owner.spawn {
            for await _ in go {}
            answer.yield(box.child?.isCurrent == true)
            answer.finish()
        })
        box.child = child
        #expect(!child.isCurrent)
        start.finish()
        var iterator = answers.makeAsyncIterator()
        #expect(await iterator.next() == true)
        owner.finish()
        try await withTimeout { await owner.task.value }
    }

    @Test func aChildCancelledBeforeItRunsStartsCancelled() async throws {
        let child = ChildTask()
        child.cancel()
        let (cancelled, report) = AsyncStream.makeStream(of: Bool.self)
        try await withTimeout {
            await child.run {
                report.yield(Task.isCancelled)
                report.finish()
            }
        }
        var iterator = cancelled.makeAsyncIterator()
        #expect(await iterator.next() == true)
        try await withTimeout { await child.value }
    }

    @Test func cancellingAChildDoesNotCancelTheTaskAfterItsEnd() async throws {
        // The handle is dropped when the body returns: a later cancel() must not reach the
        // task that ran it, which goes on with other work.
        let child = ChildTask()
        try await withTimeout {
            await child.run {}
            child.cancel()
            #expect(!Task.isCancelled)
        }
    }

    @Test func cancelAfterTheEndDoesNothing() async throws {
        let owner = ConnectionTaskOwner()
        let child = try #require(owner.spawn {})
        try await withTimeout { await child.value }
        child.cancel()
        try await withTimeout { await child.value }
        owner.finish()
        try await withTimeout { await owner.task.value }
    }
}

/// Set once, read from tests.
private final class EndFlag: Sendable {
    private let value = Locked(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// Hands a child its own handle.
private final class ChildBox: Sendable {
    private let value = Locked<ChildTask?>(nil)
    var child: ChildTask? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
