import Logging
import SignalRProtocol

extension HubConnection {
    /// Takes the ids of a `send`'s upload streams (a plain send has no id of its own).
    /// - Returns: the link to send on and the upload stream ids.
    /// - Throws: ``SignalRError/notConnected`` when not connected.
    func reserveUploadIds(_ count: Int) throws -> (TransportRuntime, streamIds: [String]) {
        guard let (transport, ids) = machine.reserveInvocationIds(count), let link = links[transport.generation] else {
            throw SignalRError.notConnected
        }
        return (link, ids)
    }

    /// Queues the uploads of a call whose message has been written in connection `session`.
    /// - Returns: the signal that stops them; end it when the call ends (never for `send`).
    ///   Nil when the call has no uploads (most calls: no signal to allocate).
    func startUploads(_ uploads: [UploadSource], streamIds: [String], session: Int) -> CallEndSignal? {
        guard !uploads.isEmpty else { return nil }
        let callEnded = CallEndSignal()
        guard let queue = streamJobs.jobQueue(generation: session) else {
            callEnded.end()
            return callEnded
        }
        for (streamId, source) in zip(streamIds, uploads) {
            logger.debug("Starting an upload stream.", metadata: ["signalr.streamId": "\(streamId)"])
            queue.yield(.upload(UploadJob(streamId: streamId, source: source, callEnded: callEnded)))
        }
        return callEnded
    }

    /// Writes a StreamItem or Completion of an upload of connection `session` on its current
    /// transport (buffered for replay while stateful reconnect resumes it).
    /// - Returns: false when that connection is no longer connected or the write failed.
    func sendUploadMessage(_ message: HubMessage, session: Int) async -> Bool {
        guard let link = linkForSending(), link.session == session else { return false }
        do {
            try await write(message, on: link)
            return true
        } catch {
            logger.debug("Sending an upload stream message failed.", metadata: ["signalr.error": "\(error)"])
            return false
        }
    }

    /// Creates the stream job queue of connection `session`; its session task drains it.
    func openStreamJobs(session: Int) -> AsyncStream<StreamJob> {
        streamJobs.openJobs(generation: session)
    }

    /// Connection `session` is done with its stream jobs.
    func closeStreamJobs(session: Int) {
        streamJobs.closeJobs(generation: session)
    }
}
