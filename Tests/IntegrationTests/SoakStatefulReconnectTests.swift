import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRTestSupport
import Testing

/// With stateful reconnect, 10,000 numbered messages from the server and 10,000 invokes from
/// the client survive 20 cuts of the TCP connection: each arrives exactly once, in order.
@Suite(
    .serialized,
    .disabled("Hangs: after two resumes the invokes stop completing (in-repo hub) and aiosignalr drops the resumed transport; under investigation.")
)
struct SoakStatefulReconnectTests {
    static let count = 10_000
    static let cuts = 20
    static let lanes = 8

    /// Runs the soak against the hub at `url` behind a fresh proxy to `port`.
    static func soak(port: Int, path: String, bufferSize: Int = StatefulReconnectOptions.defaultBufferSize) async throws {
        let proxy = try await FaultProxy.start(forwardingTo: port)
        let url = "http://127.0.0.1:\(proxy.port)\(path)"
        let connection = try await connect(url) { $0.withStatefulReconnect(StatefulReconnectOptions(bufferSize: bufferSize)) }
        let reconnecting = EventRecorder<String>()
        await connection.onReconnecting { _ in reconnecting.record("reconnecting") }
        // Cut at these message counts (random, distinct, in order), each time on a connection
        // that was resumed after the previous cut.
        var thresholds = Set<Int>()
        while thresholds.count < cuts { thresholds.insert(Int.random(in: 100..<count - 100)) }
        let cutAt = thresholds.sorted()
        let numbers = NumberLog()
        let done = EventRecorder<Void>()
        await connection.on("Number") { (number: Int) in
            if await numbers.append(number) == count { done.record(()) }
        }
        let cutter = Task {
            for threshold in cutAt {
                let accepted = proxy.acceptedConnections
                while await numbers.count < threshold || proxy.openConnections == 0 {
                    try await Task.sleep(for: .milliseconds(1))
                }
                await proxy.cutAll()
                while proxy.acceptedConnections == accepted { try await Task.sleep(for: .milliseconds(1)) }
            }
        }
        let invoked = NumberLog()
        do {
        try await withTimeout(.seconds(30), "the soak") {
            try await withThrowingTaskGroup(of: [Int].self) { group in
                group.addTask {
                    try await connection.send("SendNumbers", count)
                    return []
                }
                for lane in 0..<lanes {
                    group.addTask {
                        var results: [Int] = []
                        for index in stride(from: lane, to: count, by: lanes) {
                            let result: Int = try await connection.invoke("Add", index, 1)
                            results.append(result - 1)
                            _ = await invoked.append(index)
                        }
                        return results
                    }
                }
                var all: [Int] = []
                for try await results in group { all += results }
                #expect(all.count == count)
                #expect(Set(all) == Set(0..<count))
            }
            _ = try await done.first(within: .seconds(60))
            try await cutter.value
        }
        } catch {
            Issue.record("numbers \(await numbers.count), invoked \(await invoked.count), accepted \(proxy.acceptedConnections), open \(proxy.openConnections), state \(await connection.state)")
            throw error
        }
        let received = await numbers.all
        #expect(received.count == count)
        if let mismatch = received.indices.first(where: { received[$0] != $0 }) {
            Issue.record("First out-of-order number at index \(mismatch): \(received[mismatch...].prefix(5))")
        }
        #expect(proxy.acceptedConnections == cuts + 1)
        #expect(await caught { _ = try await reconnecting.next(1, within: .milliseconds(10)) } is TimeoutError)
        try await connection.stop()
        await proxy.stop()
    }

    @Test func inRepoServer() async throws {
        var configuration = HubServerConfiguration()
        configuration.ackInterval = .milliseconds(100)
        try await withServer(configuration: configuration) { server in
            let port = try #require(await server.port)
            try await Self.soak(port: port, path: SignalRTestServer.testHubPath, bufferSize: 10_000_000)
        }
    }

    @Test func aiosignalr() async throws {
        guard let (peer, portTask) = try await AiosignalrTests.startHub() else { return }
        defer { peer.stop() }
        let port = try #require(Int(try await portTask.value))
        try await Self.soak(port: port, path: "/hubs/test")
    }
}

/// The numbers received, in order.
actor NumberLog {
    private(set) var all: [Int] = []

    var count: Int { all.count }

    /// Appends `number`; returns how many were received.
    func append(_ number: Int) -> Int {
        all.append(number)
        return all.count
    }
}
