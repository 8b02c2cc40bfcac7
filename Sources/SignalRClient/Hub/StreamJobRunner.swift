import SignalRProtocol

/// Runs the stream jobs of one connection session inside its session task: each upload in a
/// child task, CancelInvocation messages in order.
///
/// `run` returns once the job queue is finished (the connection ended, not merely a transport
/// that stateful reconnect resumes) and every upload has ended, so `stop()`, which waits for
/// the session task, never leaves an upload behind.
struct StreamJobRunner: Sendable {
    let connection: HubConnection
    /// The session (see ``TransportRuntime/session``) whose uploads these are.
    let session: Int

    func run(_ jobs: AsyncStream<StreamJob>) async {
        await withDiscardingTaskGroup { group in
            for await job in jobs {
                switch job {
                case .cancel(let streamId):
                    await connection.sendStreamCancel(streamId)
                case .upload(let upload):
                    group.addTask { await runUpload(upload) }
                }
            }
            group.cancelAll()
        }
    }

    /// Sends one upload until its source ends, its call ends, or the task is cancelled.
    private func runUpload(_ upload: UploadJob) async {
        await withTaskGroup(of: Void.self) { race in
            race.addTask { await pump(upload) }
            race.addTask { await upload.callEnded.wait() }
            await race.next()
            race.cancelAll()
        }
    }

    /// Sends each element as a StreamItem, then a Completion (with the error's text when the
    /// source threw). Sends nothing more once cancelled or once a write failed.
    private func pump(_ upload: UploadJob) async {
        let connection = connection
        let session = session
        let streamId = upload.streamId
        let delivered = Locked(true)
        do {
            try await upload.source.run { item in
                let sent = await connection.sendUploadMessage(
                    .streamItem(StreamItemMessage(invocationId: streamId, item: item)), session: session
                )
                if !sent { delivered.withLock { $0 = false } }
                return sent && !Task.isCancelled
            }
            guard !Task.isCancelled, delivered.withLock({ $0 }) else { return }
            _ = await connection.sendUploadMessage(
                .completion(CompletionMessage(invocationId: streamId, result: .void)), session: session
            )
        } catch {
            guard !Task.isCancelled, !(error is CancellationError) else { return }
            let text = SignalRError.completionText(for: error)
            _ = await connection.sendUploadMessage(
                .completion(CompletionMessage(invocationId: streamId, result: .error(text))), session: session
            )
        }
    }
}
