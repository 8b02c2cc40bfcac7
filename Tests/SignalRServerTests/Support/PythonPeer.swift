import Foundation
import Testing

/// Runs the scripts of `Tests/PythonPeers` with the repository's `.venv`.
enum PythonPeer {
    /// The repository root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var python: URL { root.appendingPathComponent(".venv/bin/python") }

    /// Whether the venv exists. Without it a test fails when `CI=true`, else it is skipped.
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: python.path)
    }

    static var mustRun: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
    }

    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var timedOut: Bool
    }

    /// Runs `script` with `arguments`, killing it after `timeout`.
    static func run(_ script: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> Outcome {
        let process = Process()
        process.executableURL = python
        process.arguments = [root.appendingPathComponent("Tests/PythonPeers/\(script)").path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { finished in
            exited.yield(finished.terminationStatus)
            exited.finish()
        }
        try process.run()
        // Read output concurrently so a full pipe never blocks the script.
        let reader = Task.detached { pipe.fileHandleForReading.readDataToEndOfFile() }
        let status: Int32? = await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                for await status in exits { return status }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if status == nil, process.isRunning { process.terminate() }
        let output = String(decoding: await reader.value, as: UTF8.self)
        return Outcome(status: status ?? -1, output: output, timedOut: status == nil)
    }
}
