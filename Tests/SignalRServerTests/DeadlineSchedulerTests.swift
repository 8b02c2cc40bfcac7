import SignalRProtocol
import SignalRTestSupport
import Testing

@testable import SignalRServer

/// One task wakes every connection of a hub at its timer deadline, on the injected clock.
@Suite struct DeadlineSchedulerTests {
    @Test func eachSignalWakesAtItsDeadlineAndNotBefore() async throws {
        let manual = ManualClock()
        let clock = ErasedClock(manual)
        let scheduler = DeadlineScheduler(clock: clock)
        let first = WakeSignal()
        let second = WakeSignal()
        try await withTimeout {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await scheduler.run() }
                scheduler.wake(second, at: .seconds(20))
                scheduler.wake(first, at: .seconds(10))
                // The loop sleeps until the earliest deadline only.
                try await manual.waitForSleeper(until: .seconds(10))
                manual.advance(by: .seconds(10))
                await first.sleep(until: nil, on: clock)
                // The later deadline is still held: the loop sleeps until it.
                try await manual.waitForSleeper(until: .seconds(20))
                manual.advance(by: .seconds(10))
                await second.sleep(until: nil, on: clock)
                scheduler.finish()
            }
        }
    }

    @Test func anEarlierDeadlineWakesTheLoopSleepingForALaterOne() async throws {
        let manual = ManualClock()
        let clock = ErasedClock(manual)
        let scheduler = DeadlineScheduler(clock: clock)
        let late = WakeSignal()
        let early = WakeSignal()
        try await withTimeout {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await scheduler.run() }
                scheduler.wake(late, at: .seconds(30))
                try await manual.waitForSleeper(until: .seconds(30))
                scheduler.wake(early, at: .seconds(5))
                try await manual.waitForSleeper(until: .seconds(5))
                manual.advance(by: .seconds(5))
                await early.sleep(until: nil, on: clock)
                scheduler.finish()
                // finish() wakes what still waits.
                await late.sleep(until: nil, on: clock)
            }
        }
    }

    @Test func aPassedDeadlineWakesAtOnceAndAFinishedSchedulerWakesImmediately() async throws {
        let manual = ManualClock()
        let clock = ErasedClock(manual)
        let scheduler = DeadlineScheduler(clock: clock)
        let passed = WakeSignal()
        let afterFinish = WakeSignal()
        try await withTimeout {
            await withDiscardingTaskGroup { group in
                group.addTask { await scheduler.run() }
                manual.advance(by: .seconds(1))
                scheduler.wake(passed, at: .zero)
                await passed.sleep(until: nil, on: clock)
                scheduler.finish()
            }
            scheduler.wake(afterFinish, at: .seconds(3_600))
            await afterFinish.sleep(until: nil, on: clock)
        }
    }

    @Test func connectionJobsWakeTheOwnerAndAreTakenInOrderAcceptedWorkOutlivesFinish() async throws {
        let owner = WakeSignal()
        let jobs = ConnectionJobs(ownerWake: owner)
        let log = Log()
        #expect(jobs.spawn { await log.append(1) })
        #expect(jobs.spawn { await log.append(2) })
        try await withTimeout { await owner.sleep(until: nil, on: ErasedClock(ContinuousClock())) }
        for work in jobs.take() { await work() }
        #expect(await log.items == [1, 2])
        #expect(jobs.take().isEmpty)
        #expect(jobs.spawn { await log.append(3) })
        jobs.finish()
        #expect(jobs.isFinished)
        // What was accepted before finish() is still handed out (the owner starts it before
        // it ends), and nothing new is accepted.
        #expect(!jobs.spawn { await log.append(4) })
        for work in jobs.take() { await work() }
        #expect(await log.items == [1, 2, 3])
        #expect(jobs.take().isEmpty)
    }

    actor Log {
        var items: [Int] = []
        func append(_ item: Int) { items.append(item) }
    }
}
