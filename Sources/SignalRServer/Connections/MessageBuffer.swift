import SignalRProtocol

/// Stateful reconnect bookkeeping of one connection (handshake version 2 with
/// `useStatefulReconnect`): the sent messages the client has not acknowledged, and
/// which received messages were already processed.
struct MessageBuffer {
    /// Bytes of unacknowledged messages the buffer aims to stay under. Not enforced yet: the
    /// server never waits for room (see the issue notes); kept so the configuration reaches it.
    let limit: Int
    /// What was sent and not yet acknowledged (the same bookkeeping as the client's).
    private var sending = SequenceSender()
    /// What was received and acknowledged (the same bookkeeping as the client's).
    private var receiving = SequenceReceiver()

    init(limit: Int) {
        self.limit = limit
    }

    /// Records a sent sequenced message.
    mutating func append(_ bytes: [UInt8]) { _ = sending.append(bytes) }

    /// The client acknowledged every message up to `sequenceId`.
    mutating func acknowledge(upTo sequenceId: Int64) { sending.acknowledge(upTo: sequenceId) }

    /// The id of the first message to resend and the messages, in order.
    var replay: (firstId: Int64, messages: [[UInt8]]) { sending.replay }

    /// The highest received id that was processed.
    var latestReceived: Int64 { receiving.latestReceivedId }

    /// The transport was replaced: nothing the client sends counts until its Sequence message,
    /// and the next Ack is sent even when nothing new arrives (the last one may have been lost).
    mutating func resumed() { receiving.disconnected() }

    /// Whether a received message should be handled: see ``SequenceReceiver/shouldProcess(_:)``.
    mutating func shouldProcess(_ message: HubMessage) -> Bool { receiving.shouldProcess(message) }

    /// The client's Sequence message: its next message has id `sequenceId`.
    /// - Returns: false when the id skips messages never received, or is not a valid id (a protocol error).
    mutating func resetReceiving(to sequenceId: Int64) -> Bool {
        sequenceId >= 1 && receiving.resetSequence(to: sequenceId)
    }

    /// The Ack to send, if new messages arrived since the last one.
    mutating func takeAck() -> Int64? { receiving.takeAck() }
}
