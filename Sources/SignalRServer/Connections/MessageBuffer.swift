import SignalRProtocol

/// Stateful reconnect bookkeeping of one connection (handshake version 2 with
/// `useStatefulReconnect`): the sent messages the client has not acknowledged, and
/// which received messages were already processed.
struct MessageBuffer {
    /// Bytes of unacknowledged messages the buffer aims to stay under.
    let limit: Int
    private var buffered: [(id: Int64, bytes: [UInt8])] = []
    private var bufferedStart = 0
    private(set) var bufferedBytes = 0
    /// The id the next sent sequenced message gets.
    private(set) var nextSendId: Int64 = 1
    /// The id the next received sequenced message has.
    private var receiveCursor: Int64 = 1
    /// The highest received id that was processed.
    private(set) var latestReceived: Int64 = 0
    /// The id last acknowledged to the client.
    private(set) var lastAckSent: Int64 = 0
    /// After a resume, nothing is handled until the client's Sequence message.
    private(set) var waitingForSequence = false

    init(limit: Int) {
        self.limit = limit
    }

    /// Records a sent sequenced message.
    mutating func append(_ bytes: [UInt8]) {
        buffered.append((nextSendId, bytes))
        bufferedBytes += bytes.count
        nextSendId += 1
    }

    /// Whether the buffer holds more than ``limit`` bytes.
    var isFull: Bool { bufferedBytes > limit }

    /// The client acknowledged every message up to `sequenceId`.
    mutating func acknowledge(upTo sequenceId: Int64) {
        while bufferedStart < buffered.count, buffered[bufferedStart].id <= sequenceId {
            bufferedBytes -= buffered[bufferedStart].bytes.count
            bufferedStart += 1
        }
        if bufferedStart > 64, bufferedStart * 2 > buffered.count {
            buffered.removeFirst(bufferedStart)
            bufferedStart = 0
        }
    }

    /// The id of the first message to resend and the messages, in order.
    var replay: (firstId: Int64, messages: [[UInt8]]) {
        let pending = buffered[bufferedStart...]
        return (pending.first?.id ?? nextSendId, pending.map(\.bytes))
    }

    /// The transport was replaced: nothing the client sends counts until its Sequence message,
    /// and the next Ack is sent even when nothing new arrives (the last one may have been lost).
    mutating func resumed() {
        waitingForSequence = true
        lastAckSent = 0
    }

    /// Whether a received message should be handled: skips everything but Sequence after a
    /// resume, and sequenced messages already processed (the client's replay).
    mutating func shouldProcess(_ message: HubMessage) -> Bool {
        if waitingForSequence {
            guard case .sequence = message else { return false }
            waitingForSequence = false
            return true
        }
        guard message.isSequenced else { return true }
        let id = receiveCursor
        receiveCursor += 1
        guard id > latestReceived else { return false }
        latestReceived = id
        return true
    }

    /// The client's Sequence message: its next message has id `sequenceId`.
    /// - Returns: false when the id skips messages never received (a protocol error).
    mutating func resetReceiving(to sequenceId: Int64) -> Bool {
        guard sequenceId <= latestReceived + 1, sequenceId >= 1 else { return false }
        receiveCursor = sequenceId
        return true
    }

    /// The Ack to send, if new messages arrived since the last one.
    mutating func takeAck() -> Int64? {
        guard latestReceived > lastAckSent else { return nil }
        lastAckSent = latestReceived
        return latestReceived
    }
}
