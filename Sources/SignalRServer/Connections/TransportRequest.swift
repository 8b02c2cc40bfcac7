/// What a transport request tells the connection about the client.
struct TransportRequest: Sendable {
    /// Header names lowercased; repeated headers joined with ", ".
    var headers: [String: String]
    /// Query parameters, percent-decoded.
    var query: [String: String]

    /// `Authorization: Bearer …`, else the `access_token` query parameter.
    var accessToken: String? {
        if let authorization = headers["authorization"] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]) }
        }
        return query["access_token"]
    }
}

/// The answer of ``ServerConnection/attach(_:request:abort:)``.
enum AttachResult: Sendable, Equatable {
    /// The transport is attached under this session number.
    case attached(session: Int)
    /// The connection is over (404).
    case notFound
    /// Another request of this transport is active (409).
    case conflict
    /// The connection uses another transport (400 "Cannot change transports mid-connection").
    case wrongTransport
}

/// What a transport gets from ``ServerConnection/nextFrames(session:timeout:)``.
enum OutboundBatch: Sendable {
    /// Frames to write, in order.
    case frames([OutboundFrame])
    /// Nothing arrived before the timeout.
    case timedOut
    /// The connection ended or a newer request took over; `abrupt` asks to cut the
    /// transport without a clean ending.
    case ended(abrupt: Bool)
}
