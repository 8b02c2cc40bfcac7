import SignalRProtocol

/// Runs the stream jobs of one transport connection inside its run task: each upload in a
/// child task, CancelInvocation messages in order.
///
/// `run` returns once the job queue is finished (the connection closed) and every upload has
/// ended; the connection's run task cancels it after the transport closed, so `stop()`,
/// which waits for the run task, never leaves an upload behind.
struct StreamJobRunner: Sendable {
    let connection: HubConnection
    let generation: Int

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
        let generation = generation
        let streamId = upload.streamId
        let delivered = Locked(true)
        do {
            try await upload.source.run { item in
                let sent = await connection.sendUploadMessage(
                    .streamItem(StreamItemMessage(invocationId: streamId, item: item)), generation: generation
                )
                if !sent { delivered.withLock { $0 = false } }
                return sent && !Task.isCancelled
            }
            guard !Task.isCancelled, delivered.withLock({ $0 }) else { return }
            _ = await connection.sendUploadMessage(
                .completion(CompletionMessage(invocationId: streamId, result: .void)), generation: generation
            )
        } catch {
            guard !Task.isCancelled, !(error is CancellationError) else { return }
            let text = SignalRError.completionText(for: error)
            _ = await connection.sendUploadMessage(
                .completion(CompletionMessage(invocationId: streamId, result: .error(text))), generation: generation
            )
        }
    }
}
