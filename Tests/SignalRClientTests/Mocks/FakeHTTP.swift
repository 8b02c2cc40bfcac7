import Foundation
import Logging
import SignalRProtocol
@testable import SignalRClient

/// Answers negotiate requests from a script and records them.
final class FakeRequester: HTTPRequester {
    struct Request: Sendable {
        let url: String
        let headers: [String: String]
    }

    private let responses: Locked<[HTTPResult]>
    let requests = Locked<[Request]>([])

    init(_ responses: [HTTPResult]) { self.responses = Locked(responses) }

    convenience init(json: String...) {
        self.init(json.map { HTTPResult(statusCode: 200, body: Array($0.utf8), setCookies: []) })
    }

    func post(url: String, headers: [String: String], timeout: Duration) async throws -> HTTPResult {
        requests.withLock { $0.append(Request(url: url, headers: headers)) }
        guard let next = responses.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
            throw SignalRError(.negotiationFailed, "No scripted response left.")
        }
        return next
    }

    var urls: [String] { requests.withLock { $0.map(\.url) } }
}

/// Builds transports that record their requests; `failing` lists the transport types that fail to connect.
struct FakeTransportFactory: TransportFactory {
    var failing: [HttpTransportType: SignalRError] = [:]
    var unavailable: HttpTransportType = []
    let requests = Locked<[(HttpTransportType, TransportRequest)]>([])

    func makeTransport(for type: HttpTransportType, logger: Logger) -> (any Transport)? {
        guard !unavailable.contains(type) else { return nil }
        let recorder = Locked<[TransportRequest]>([])
        return RecordingTransport(type: type, failure: failing[type], log: requests, own: recorder)
    }

    var connectedURLs: [String] { requests.withLock { $0.map(\.1.url) } }
}

private struct RecordingTransport: Transport {
    let type: HttpTransportType
    let failure: SignalRError?
    let log: Locked<[(HttpTransportType, TransportRequest)]>
    let own: Locked<[TransportRequest]>

    func connect(_ request: TransportRequest) async throws -> any TransportConnection {
        log.withLock { $0.append((type, request)) }
        if let failure { throw failure }
        return FakeTransportConnection()
    }
}
