import Testing

@testable import SignalRServer

/// The server's task owners: serial work runs in order, as children of the spawner.
@Suite struct TaskSpawnerTests {
    actor Log {
        var items: [Int] = []
        func append(_ item: Int) { items.append(item) }
    }

    @Test func serialWorkRunsInSubmissionOrderAsChildrenOfTheSpawner() async {
        let spawner = TaskSpawner()
        let serial = TaskSpawner.Serial(on: spawner)
        let log = Log()
        await withDiscardingTaskGroup { group in
            group.addTask { await spawner.run() }
            for item in 0..<100 {
                #expect(serial.spawn {
                    await Task.yield()
                    await log.append(item)
                })
            }
            serial.finish()
            #expect(!serial.spawn {})
            // The spawner's run() returns once the drained queue's child has ended.
            spawner.finish()
        }
        #expect(await log.items == Array(0..<100))
    }

    @Test func serialWorkIsRefusedOnceTheSpawnerFinished() {
        let spawner = TaskSpawner()
        spawner.finish()
        #expect(!TaskSpawner.Serial(on: spawner).spawn {})
    }
}
