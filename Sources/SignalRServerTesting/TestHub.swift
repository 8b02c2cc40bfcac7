import Foundation
import NIOConcurrencyHelpers
import SignalRProtocol
import SignalRServer

/// The hub the client tests talk to (served at `/hubs/test` by ``SignalRTestServer``).
///
/// Methods (names match case-insensitively):
/// - `Echo(string) -> string`, `Add(int, int) -> int`, `Void()` and `Nothing()` (result `null`),
///   `GetPerson() -> {"name":"Ana","age":42}`, `EchoPerson(person) -> person`,
///   `Optional(string?) -> string?`, `EchoValue(any JSON) -> same`, `EchoDate(date) -> date`,
///   `EchoBytes(bytes) -> bytes`, `Delay(ms) -> ms` (sleeps).
///   `GetMixedValues()`: dates (2019-01-01T00:00:00Z, …00.5Z, 1969-12-31T23:59:59.5Z), bytes
///   [1, 2, 3], "héllo" and a nested list (timestamps 32/64/96 and bin over MessagePack);
///   `EchoCalls() -> int`: how many `Echo` calls this hub answered (for load generators to check their counts).
///   `GetBigIntegers()`: [Int64.max, Int64.min, UInt64.max, 2^53 + 1]. `NotifyThenDelay(ms) -> ms` sends
///   `DelayStarted(ms)` to the caller first, so a test knows the invocation is running (invocations
///   of one connection run one at a time, as in ASP.NET Core: another invocation cannot tell it).
/// - `SendMessage(user, message)`: `ReceiveMessage(user, message)` to all.
///   `SendToOthers(user, message)`: `ReceiveMessage` to all but the caller.
///   `SendToCaller(method, value)`: `method(value)` to the caller.
/// - `JoinGroup(group)`, `LeaveGroup(group)`, `SendToGroup(group, message)`:
///   `ReceiveGroupMessage(group, message)` to the group's members.
/// - `Throw(message)`: a hub error the client sees as
///   `An unexpected error occurred invoking 'Throw' on the server. HubException: <message>`;
///   `ThrowUnexpected()`: any other error (`An unexpected error occurred invoking 'ThrowUnexpected' on the server.`).
/// - Streams: `Counter(count, delayMs)` yields 0..<count; `Ticks(delayMs)` yields 0, 1, … until
///   cancelled; `StreamEcho(stream of string)` echoes an upload stream; `FailingStream(count)`
///   fails after `count` items. `CancelledStreams() -> int` counts streams that saw cancellation.
/// - `UploadSum(stream of int) -> int`, `UploadCollect(stream of string) -> [string]`.
/// - `GetClientResult(method) -> any`: asks the caller's `method` for a result and returns it.
/// - `GetHeader(name) -> string?`, `GetQuery(name) -> string?`, `GetAccessToken() -> string?`,
///   `GetTransport() -> string`, `GetConnectionId() -> string`, `GetProtocol() -> string`.
/// - `Abort()`: drops the caller without a Close message; `CloseWithReconnect()`: Close with
///   `allowReconnect: true`; `CloseWithError(message)`: Close with that error.
/// - `SendNumbers(count, pauseEvery)`: sends `Number(i)` to the caller for i in 0..<count, pausing
///   1 ms after every `pauseEvery` numbers (0: no pauses) so that a soak's cuts fall among them.
/// - `Tally(value)`: how many times this connection called `Tally` with `value` (1 when the server
///   ran each invocation exactly once, as stateful reconnect must ensure).
public enum TestHub {
    /// A person, as `GetPerson` returns it.
    public struct Person: Codable, Sendable, Equatable {
        /// The name.
        public var name: String
        /// The age in years.
        public var age: Int

        /// Creates a person.
        public init(name: String, age: Int) {
            self.name = name
            self.age = age
        }
    }

    /// What `GetMixedValues` returns: over MessagePack, the dates are timestamps in their
    /// 32-, 64- and 96-bit forms and the bytes are `bin`.
    public struct MixedValues: Codable, Sendable, Equatable {
        public var ts32 = Date(timeIntervalSince1970: 1_546_300_800)
        public var ts64 = Date(timeIntervalSince1970: 1_546_300_800.5)
        public var ts96 = Date(timeIntervalSince1970: -0.5)
        public var bin = Data([1, 2, 3])
        public var text = "héllo"
        public var nested: JSONValue = ["list": [nil, true, 1.5, -1, .int(Int64(Int32.min))]]

        /// The values above.
        public init() {}
    }

    /// Builds the test hub.
    public static func make() -> Hub {
        let stats = TestHubStats()
        var hub = Hub()
        hub.on("Echo") { (text: String) in
            stats.echoCalls.withLockedValue { $0 += 1 }
            return text
        }
        hub.on("EchoCalls") { () in stats.echoCalls.withLockedValue { $0 } }
        hub.on("Add") { (a: Int, b: Int) in a + b }
        hub.on("Void") { () in }
        hub.on("Nothing") { () in }
        hub.on("GetPerson") { () in Person(name: "Ana", age: 42) }
        hub.on("EchoPerson") { (person: Person) in person }
        hub.on("Optional") { (value: String?) in value }
        hub.on("EchoValue") { (value: JSONValue) in value }
        hub.on("EchoDate") { (date: Date) in date }
        hub.on("EchoBytes") { (bytes: Data) in bytes }
        hub.on("GetMixedValues") { () in MixedValues() }
        hub.on("GetBigIntegers") { () -> [JSONValue] in
            [.int(.max), .int(.min), .uint(.max), .int(9_007_199_254_740_993)]
        }
        hub.on("Delay") { (milliseconds: Int) -> Int in
            try await Task.sleep(for: .milliseconds(milliseconds))
            return milliseconds
        }
        hub.on("NotifyThenDelay") { (context: HubContext, milliseconds: Int) -> Int in
            try await context.clients.caller.send("DelayStarted", milliseconds)
            try await Task.sleep(for: .milliseconds(milliseconds))
            return milliseconds
        }
        addMessaging(to: &hub)
        addStreams(to: &hub, stats: stats)
        addConnectionQueries(to: &hub)
        return hub
    }

    private static func addMessaging(to hub: inout Hub) {
        hub.on("SendMessage") { (context: HubContext, user: String, message: String) in
            try await context.clients.all.send("ReceiveMessage", user, message)
        }
        hub.on("SendToOthers") { (context: HubContext, user: String, message: String) in
            try await context.clients.others.send("ReceiveMessage", user, message)
        }
        hub.on("SendToCaller") { (context: HubContext, method: String, value: JSONValue) in
            try await context.clients.caller.send(method, value)
        }
        hub.on("JoinGroup") { (context: HubContext, group: String) in
            await context.groups.add(context.connectionId, to: group)
        }
        hub.on("LeaveGroup") { (context: HubContext, group: String) in
            await context.groups.remove(context.connectionId, from: group)
        }
        hub.on("SendToGroup") { (context: HubContext, group: String, message: String) in
            try await context.clients.group(group).send("ReceiveGroupMessage", group, message)
        }
        hub.on("Throw") { (message: String) -> String in throw HubError(message) }
        hub.on("ThrowUnexpected") { () -> String in throw TestHubFailure() }
        hub.on("GetClientResult") { (context: HubContext, method: String) in
            try await context.clients.caller.invoke(method, returning: JSONValue.self)
        }
    }

    private static func addStreams(to hub: inout Hub, stats: TestHubStats) {
        hub.stream("Counter") { (count: Int, delayMs: Int) in
            CountingSequence(count: count, delay: .milliseconds(delayMs), stats: stats)
        }
        hub.stream("Ticks") { (delayMs: Int) in
            CountingSequence(count: .max, delay: .milliseconds(delayMs), stats: stats)
        }
        hub.stream("FailingStream") { (count: Int) in
            CountingSequence(count: count, delay: .zero, stats: stats, failAtEnd: true)
        }
        hub.on("CancelledStreams") { () in await stats.cancelled }
        hub.stream("StreamEcho") { (input: HubStream<String>) in input }
        hub.on("UploadSum") { (input: HubStream<Int>) -> Int in
            var sum = 0
            for try await value in input { sum += value }
            return sum
        }
        hub.on("UploadCollect") { (input: HubStream<String>) -> [String] in
            var items: [String] = []
            for try await value in input { items.append(value) }
            return items
        }
        hub.on("UploadPair") { (first: HubStream<Int>, second: HubStream<Int>) -> [Int] in
            var sums = [0, 0]
            for try await value in first { sums[0] += value }
            for try await value in second { sums[1] += value }
            return sums
        }
    }

    private static func addConnectionQueries(to hub: inout Hub) {
        hub.on("GetHeader") { (context: HubContext, name: String) in context.info.header(name) }
        hub.on("GetQuery") { (context: HubContext, name: String) in context.info.query[name] }
        hub.on("GetAccessToken") { (context: HubContext) in context.info.accessToken }
        hub.on("GetTransport") { (context: HubContext) in context.info.transport.rawValue }
        hub.on("GetConnectionId") { (context: HubContext) in context.connectionId }
        hub.on("GetProtocol") { (context: HubContext) in context.info.protocolName }
        hub.on("Abort") { (context: HubContext) in await context.abort() }
        hub.on("CloseWithReconnect") { (context: HubContext) in
            await context.close(error: nil, allowReconnect: true)
        }
        hub.on("CloseWithError") { (context: HubContext, message: String) in
            await context.close(error: message, allowReconnect: false)
        }
        hub.on("SendNumbers") { (context: HubContext, count: Int, pauseEvery: Int) in
            for number in 0..<count {
                try await context.clients.caller.send("Number", number)
                if pauseEvery > 0, number % pauseEvery == pauseEvery - 1 { try await Task.sleep(for: .milliseconds(1)) }
            }
        }
        let tallies = Tallies()
        hub.on("Tally") { (context: HubContext, value: Int) in await tallies.count(context.connectionId, value) }
    }
}

/// How many times each connection tallied each value (`Tally`).
actor Tallies {
    private var counts: [String: [Int: Int]] = [:]

    func count(_ connectionId: String, _ value: Int) -> Int {
        counts[connectionId, default: [:]][value, default: 0] += 1
        return counts[connectionId]?[value] ?? 0
    }
}

/// The error `ThrowUnexpected` throws; its text never reaches clients (detailed errors off).
struct TestHubFailure: Error, CustomStringConvertible {
    var description: String { "Something went wrong inside the hub." }
}

/// Counts what the test hub's streams observed, and its `Echo` calls.
actor TestHubStats {
    private(set) var cancelled = 0
    /// `Echo` calls answered, over all connections (a lock, not the actor: it is on every call's path).
    nonisolated let echoCalls = NIOLockedValueBox(0)

    func streamCancelled() { cancelled += 1 }
}

/// 0, 1, 2, … with a delay before each item after the first; counts cancellation.
struct CountingSequence: AsyncSequence, Sendable {
    let count: Int
    let delay: Duration
    let stats: TestHubStats
    var failAtEnd = false

    struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: CountingSequence
        var next = 0

        mutating func next() async throws -> Int? {
            if Task.isCancelled {
                await sequence.stats.streamCancelled()
                throw CancellationError()
            }
            guard next < sequence.count else {
                if sequence.failAtEnd { throw HubError("The stream failed after \(sequence.count) items.") }
                return nil
            }
            if next > 0, sequence.delay > .zero {
                do {
                    try await Task.sleep(for: sequence.delay)
                } catch {
                    await sequence.stats.streamCancelled()
                    throw error
                }
            }
            defer { next += 1 }
            return next
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(sequence: self) }
}
