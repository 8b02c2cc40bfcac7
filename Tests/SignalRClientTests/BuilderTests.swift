import Foundation
import Logging
import SignalRProtocol
import Testing
@testable import SignalRClient

@Suite("HubConnectionBuilder")
struct BuilderTests {
    @Test func defaultsMatchTheOfficialClient() async throws {
        let connection = try HubConnectionBuilder().withUrl("https://example.com/chathub").build()
        #expect(connection.serverTimeout == .seconds(30))
        #expect(connection.keepAliveInterval == .seconds(15))
        #expect(connection.handshakeTimeout == .seconds(15))
        #expect(connection.hubProtocol.name == "json")
        #expect(await connection.state == .disconnected)
        #expect(await connection.connectionId == nil)
    }

    @Test func settingsAreApplied() throws {
        let connection = try HubConnectionBuilder()
            .withUrl("http://localhost:5000/hub", transports: .webSockets)
            .withHubProtocol(MessagePackHubProtocol())
            .withServerTimeout(.seconds(60))
            .withKeepAliveInterval(.seconds(20))
            .configureLogging(.warning)
            .build()
        #expect(connection.hubProtocol.name == "messagepack")
        #expect(connection.serverTimeout == .seconds(60))
        #expect(connection.keepAliveInterval == .seconds(20))
    }

    @Test func missingURL() {
        let error = #expect(throws: SignalRError.self) { try HubConnectionBuilder().build() }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message == "The 'HubConnectionBuilder.withUrl' method must be called before building the connection.")
    }

    @Test(arguments: ["/chathub", "chathub", "ftp://example.com/hub", "http://", ""])
    func relativeOrNonHTTPURLsAreRejected(url: String) {
        let error = #expect(throws: SignalRError.self) { try HubConnectionBuilder().withUrl(url).build() }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.hasPrefix("Cannot resolve '\(url)'.") == true)
    }

    @Test func serverTimeoutMustExceedKeepAlive() {
        let error = #expect(throws: SignalRError.self) {
            try HubConnectionBuilder().withUrl("http://h/hub").withServerTimeout(.seconds(10)).withKeepAliveInterval(.seconds(10)).build()
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message == "The server timeout (10.0 seconds) must be greater than the keep-alive interval (10.0 seconds).")
        #expect(throws: SignalRError.self) { try HubConnectionBuilder().withUrl("http://h/hub").withHandshakeTimeout(.zero).build() }
    }

    @Test func logLevelsMapToSwiftLog() {
        #expect(SignalRLogLevel.trace.loggerLevel == .trace)
        #expect(SignalRLogLevel.information.loggerLevel == .info)
        #expect(SignalRLogLevel.critical.loggerLevel == .critical)
        #expect(SignalRLogLevel.none.loggerLevel == nil)
        #expect(SignalRLogLevel.allCases.count == 7)
    }

    @Test func errorCodesAndDescriptions() {
        let error = SignalRError(.hubError, "boom")
        #expect(error.description == "boom")
        #expect(error.localizedDescription == "boom")
        switch error.code {
        case .hubError: break
        default: Issue.record("Expected hubError")
        }
    }
}

@Suite("Connection timers")
struct ConnectionTimersTests {
    @Test func shortKeepAliveWakesTheTimerBeforeTheHandshakeDeadline() {
        var timers = ConnectionTimers(
            keepAliveInterval: .milliseconds(100), serverTimeout: .milliseconds(400), handshakeTimeout: .seconds(15),
            enabled: true, now: .zero)
        #expect(timers.tick(now: .zero) == .sleep(until: .milliseconds(100)))
        timers.handshakeCompleted(now: .milliseconds(10))
        timers.sent(now: .milliseconds(10))
        #expect(timers.tick(now: .milliseconds(100)) == .sleep(until: .milliseconds(110)))
        #expect(timers.tick(now: .milliseconds(110)) == .sendPing(thenSleepUntil: .milliseconds(210)))
        #expect(timers.tick(now: .milliseconds(410)) == .serverTimedOut)
    }

    @Test func handshakeDeadlineThenKeepAliveAndServerTimeout() {
        var timers = ConnectionTimers(keepAliveInterval: .seconds(15), serverTimeout: .seconds(30), handshakeTimeout: .seconds(15), enabled: true, now: .zero)
        #expect(timers.tick(now: .seconds(1)) == .sleep(until: .seconds(15)))
        #expect(timers.tick(now: .seconds(15)) == .handshakeTimedOut)
        timers.handshakeCompleted(now: .seconds(2))
        timers.sent(now: .seconds(2))
        #expect(timers.tick(now: .seconds(3)) == .sleep(until: .seconds(17)))
        #expect(timers.tick(now: .seconds(17)) == .sendPing(thenSleepUntil: .seconds(32)))
        timers.received(now: .seconds(20))
        #expect(timers.tick(now: .seconds(32)) == .sendPing(thenSleepUntil: .seconds(47)))
        #expect(timers.tick(now: .seconds(50)) == .serverTimedOut)
    }

    @Test func inherentKeepAliveHasNoTimers() {
        var timers = ConnectionTimers(keepAliveInterval: .seconds(15), serverTimeout: .seconds(30), handshakeTimeout: .seconds(15), enabled: false, now: .zero)
        timers.handshakeCompleted(now: .seconds(1))
        #expect(timers.tick(now: .seconds(100)) == .stop)
    }
}
