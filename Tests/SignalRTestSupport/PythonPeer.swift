import Foundation

/// Runs the independent Python peers (PyPI packages in the git-ignored `.venv`).
///
/// The venv is created on first use by `Tests/PythonPeers/install.sh`; with `CI=true` a
/// peer that cannot run fails the test instead of skipping it.
public enum PythonPeer {
    /// The repository root (two levels above this file's folder).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `.venv/bin/python` under the repository root.
    public static var python: URL { repositoryRoot.appendingPathComponent(".venv/bin/python") }

    /// A script in Tests/PythonPeers.
    public static func script(_ name: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/PythonPeers/\(name)")
    }

    /// True when running under CI (peer tests must then never skip).
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    private static let installer = Installer()

    /// Installs the venv once per process (Tests/PythonPeers/install.sh); returns whether the
    /// peers are available. It never blocks a thread of the concurrency pool: the script runs
    /// as a child process whose exit resumes the callers.
    public static func ensureInstalled() async -> Bool {
        await installer.result()
    }

    /// Runs the install script at most once and shares its outcome.
    private actor Installer {
        private var outcome: Task<Bool, Never>?

        func result() async -> Bool {
            if let outcome { return await outcome.value }
            let task = Task { await PythonPeer.runInstallScript() }
            outcome = task
            return await task.value
        }
    }

    private static func runInstallScript() async -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [repositoryRoot.appendingPathComponent("Tests/PythonPeers/install.sh").path]
        process.standardOutput = FileHandle.nullDevice
        let exit = ChildExit(process)
        do {
            try process.run()
        } catch {
            return false
        }
        // pip on a slow machine: minutes, not forever.
        let status = await exit.wait(timeout: .seconds(600))
        if status == nil { await exit.kill() }
        return status == 0
    }
}

/// The exit status of a child process, awaited without blocking a thread of the concurrency pool.
///
/// Foundation's `terminationHandler` is the fast path; a poll of `isRunning` every 50 ms backs it
/// up, because on Linux the handler has been seen not to run for a child that exited while other
/// children were being started (a test then waited forever).
final class ChildExit: Sendable {
    private let process: Process
    private let exits: AsyncStream<Int32>
    private let sink: AsyncStream<Int32>.Continuation

    /// Watches `process`; call before `run()`.
    init(_ process: Process) {
        self.process = process
        (exits, sink) = AsyncStream.makeStream(of: Int32.self)
        let sink = sink
        process.terminationHandler = { finished in
            sink.yield(finished.terminationStatus)
            sink.finish()
        }
    }

    /// Ends the process: SIGTERM, then SIGKILL when it still runs a second later.
    func kill() async {
        guard process.isRunning else { return }
        process.terminate()
        if await wait(timeout: .seconds(1)) == nil, process.isRunning {
            _ = Foundation.kill(process.processIdentifier, SIGKILL)
        }
    }

    /// The exit status, or nil when the process still runs after `timeout`.
    func wait(timeout: Duration) async -> Int32? {
        let exits = exits
        let process = process
        return await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                for await status in exits { return status }
                return nil
            }
            group.addTask {
                let deadline = ContinuousClock.now + timeout
                while ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(50))
                    if Task.isCancelled { return nil }
                    if !process.isRunning { return process.terminationStatus }
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}

extension PythonPeer {
    /// How a script run ended.
    public struct Outcome: Sendable {
        /// The exit status (-1 when it was killed).
        public var status: Int32
        /// Standard output and standard error, interleaved.
        public var output: String
        /// True when it ran past its time limit and was killed.
        public var timedOut: Bool
    }

    /// Runs `script` (in Tests/PythonPeers) with `arguments` to completion, killing it after `timeout`.
    /// - Throws: when the interpreter cannot start.
    public static func run(_ script: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> Outcome {
        let process = Process()
        process.executableURL = python
        process.arguments = [self.script(script).path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let exit = ChildExit(process)
        // Read output as it comes (so a full pipe never blocks the script) without parking a
        // thread of the concurrency pool in a blocking read.
        let (chunks, chunkSink) = AsyncStream.makeStream(of: Data.self)
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                chunkSink.finish()
            } else {
                chunkSink.yield(data)
            }
        }
        try process.run()
        let collected = OutputCollector()
        let reader = Task {
            for await chunk in chunks { await collected.append(chunk) }
        }
        let status = await exit.wait(timeout: timeout)
        if status == nil { await exit.kill() }
        try? pipe.fileHandleForWriting.close()
        // A grandchild may hold the pipe open: give the output a moment to end, no more.
        // (Cancelling the reader ends its loop; a task group would wait for it instead.)
        let deadline = Task {
            try? await Task.sleep(for: .seconds(2))
            reader.cancel()
        }
        await reader.value
        deadline.cancel()
        let output = String(decoding: await collected.data, as: UTF8.self)
        return Outcome(status: status ?? -1, output: output, timedOut: status == nil)
    }
}

/// Output gathered from a child's pipe.
private actor OutputCollector {
    private(set) var data = Data()

    func append(_ chunk: Data) { data.append(chunk) }
}

/// A Python process started for a test; killed on ``stop()``.
public final class PeerProcess: Sendable {
    private let process: Process
    private let stdinPipe: Pipe
    /// Lines the process printed on standard output.
    public let lines: AsyncStream<String>

    /// Starts `python script arguments…` in the repository root.
    /// - Throws: when it cannot start.
    public init(script: String, arguments: [String] = []) throws {
        let process = Process()
        process.executableURL = PythonPeer.python
        process.arguments = [PythonPeer.script(script).path] + arguments
        process.currentDirectoryURL = PythonPeer.repositoryRoot
        let stdout = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        let (lines, continuation) = AsyncStream<String>.makeStream()
        let buffer = LineBuffer()
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                continuation.finish()
                return
            }
            for line in buffer.append(data) { continuation.yield(line) }
        }
        try process.run()
        self.process = process
        self.stdinPipe = stdin
        self.lines = lines
    }

    /// Waits for the first line starting with `prefix` and returns the rest of it.
    /// - Throws: ``TimeoutError`` or when the process ended first.
    public func waitForLine(prefix: String, within limit: Duration = .seconds(20)) async throws -> String {
        let lines = self.lines
        return try await withTimeout(limit, "a line starting with '\(prefix)'") {
            for await line in lines where line.hasPrefix(prefix) {
                return String(line.dropFirst(prefix.count))
            }
            throw PeerError.exited
        }
    }

    /// Ends the process: closes its standard input, then terminates it (without waiting, so
    /// no thread of the concurrency pool blocks on it).
    public func stop() {
        try? stdinPipe.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    public enum PeerError: Error { case exited }
}

/// Splits output into lines across reads.
private final class LineBuffer: @unchecked Sendable {
    // Safety: only the single readabilityHandler of one pipe calls append, serially.
    private var pending = Data()

    func append(_ data: Data) -> [String] {
        pending.append(data)
        var lines: [String] = []
        while let newline = pending.firstIndex(of: 0x0A) {
            lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
            pending.removeSubrange(pending.startIndex...newline)
        }
        return lines
    }
}
