import SignalRProtocol

/// The Ack and Sequence bookkeeping of stateful reconnect on the client (the official
/// client's `MessageBuffer`), with no I/O: the connection asks it what to do.
///
/// Sending: each sequenced message (Invocation, StreamItem, Completion, StreamInvocation,
/// CancelInvocation) gets the next id, starting at 1, and stays buffered until an Ack from
/// the server covers it. A send that fills the buffer (``limit`` bytes or more) waits until
/// an Ack covers it or frees enough room. After the transport drops, ``replay`` gives the
/// Sequence id and the messages to send again.
///
/// Receiving: sequenced messages are counted; after a drop the messages before the server's
/// Sequence message are ignored, and the server's replay of what was already processed is
/// skipped. ``takeAck()`` says what to acknowledge.
struct MessageBuffer: Sendable {
    /// Bytes of unacknowledged messages above which sends wait.
    let limit: Int
    /// What was sent and not yet acknowledged (the same bookkeeping as the server's).
    private var sending = SequenceSender()
    /// Ids of sends waiting for room, in order.
    private var waiting: [Int64] = []
    /// What was received and acknowledged (the same bookkeeping as the server's).
    private var receiving = SequenceReceiver()

    init(limit: Int) {
        self.limit = limit
    }

    // MARK: Sending

    /// Buffers a sent sequenced message.
    /// - Returns: its id, and whether the send must wait for room (see ``acknowledge(upTo:)``).
    mutating func append(_ bytes: [UInt8]) -> (id: Int64, mustWait: Bool) {
        let id = sending.append(bytes)
        let mustWait = sending.bufferedBytes >= limit
        if mustWait { waiting.append(id) }
        return (id, mustWait)
    }

    /// The server acknowledged every message up to `sequenceId`.
    /// - Returns: the ids of waiting sends that may go on (acknowledged, or room was freed).
    mutating func acknowledge(upTo sequenceId: Int64) -> [Int64] {
        sending.acknowledge(upTo: sequenceId)
        let roomFreed = sending.bufferedBytes < limit
        let released = waiting.filter { $0 <= sequenceId || roomFreed }
        waiting.removeAll { $0 <= sequenceId || roomFreed }
        return released
    }

    /// Whether the send with `id` still waits for room.
    func isWaiting(_ id: Int64) -> Bool { waiting.contains(id) }

    /// What to send on a new transport: a Sequence message with `firstId` (the first
    /// unacknowledged id, or the next id when everything was acknowledged), then `messages`.
    var replay: (firstId: Int64, messages: [[UInt8]]) { sending.replay }

    // MARK: Receiving

    /// The transport dropped: see ``SequenceReceiver/disconnected()``.
    mutating func disconnected() { receiving.disconnected() }

    /// Whether a received message should be handled: see ``SequenceReceiver/shouldProcess(_:)``.
    mutating func shouldProcess(_ message: HubMessage) -> Bool { receiving.shouldProcess(message) }

    /// The server's Sequence message: see ``SequenceReceiver/resetSequence(to:)``.
    mutating func resetSequence(to sequenceId: Int64) -> Bool { receiving.resetSequence(to: sequenceId) }

    /// The id to acknowledge, when messages arrived since the last Ack.
    mutating func takeAck() -> Int64? { receiving.takeAck() }
}
