/// The handshake deadline, keep-alive pings and server timeout of one connection, as
/// deadlines: the machine says what is due, only the timer task sleeps (WS `sendPing()` style).
/// Times are offsets of the connection's clock.
struct ConnectionTimers: Sendable, Equatable {
    /// What the timer task does next.
    enum Action: Sendable, Equatable {
        /// Nothing is due before this time.
        case sleep(until: Duration)
        /// Send a Ping (nothing was sent for a keep-alive interval), then sleep until this time.
        case sendPing(thenSleepUntil: Duration)
        /// No handshake response within the handshake timeout.
        case handshakeTimedOut
        /// Nothing received within the server timeout.
        case serverTimedOut
        /// The transport keeps itself alive: no timers.
        case stop
    }

    let keepAliveInterval: Duration
    let serverTimeout: Duration
    /// False for transports with inherent keep-alive (Long Polling).
    let enabled: Bool
    private(set) var handshakeDeadline: Duration?
    private(set) var lastSent: Duration
    private(set) var lastReceived: Duration

    /// Timers for a connection whose handshake starts at `now`.
    init(keepAliveInterval: Duration, serverTimeout: Duration, handshakeTimeout: Duration, enabled: Bool, now: Duration) {
        self.keepAliveInterval = keepAliveInterval
        self.serverTimeout = serverTimeout
        self.enabled = enabled
        self.handshakeDeadline = now + handshakeTimeout
        self.lastSent = now
        self.lastReceived = now
    }

    /// The handshake succeeded at `now`: the keep-alive and server timeout start.
    mutating func handshakeCompleted(now: Duration) {
        handshakeDeadline = nil
        lastReceived = now
    }

    /// Something was sent: the keep-alive interval restarts.
    mutating func sent(now: Duration) { lastSent = max(lastSent, now) }

    /// Something was received: the server timeout restarts.
    mutating func received(now: Duration) { lastReceived = max(lastReceived, now) }

    /// What is due at `now`.
    mutating func tick(now: Duration) -> Action {
        if let handshakeDeadline {
            if now >= handshakeDeadline { return .handshakeTimedOut }
            // The handshake usually completes long before its deadline and nothing wakes the
            // timer then, so wake up by the first keep-alive deadline as well (never later than
            // the server timeout, which must exceed the keep-alive interval).
            return .sleep(until: enabled ? min(handshakeDeadline, now + keepAliveInterval) : handshakeDeadline)
        }
        guard enabled else { return .stop }
        if now >= lastReceived + serverTimeout { return .serverTimedOut }
        if now >= lastSent + keepAliveInterval {
            lastSent = now
            return .sendPing(thenSleepUntil: nextDeadline)
        }
        return .sleep(until: nextDeadline)
    }

    private var nextDeadline: Duration { min(lastSent + keepAliveInterval, lastReceived + serverTimeout) }
}
