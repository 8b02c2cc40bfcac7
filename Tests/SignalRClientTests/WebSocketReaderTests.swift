import SignalRTestSupport
import Testing
@testable import SignalRClient

/// The WebSocket scope's one wait: a close request (reported once) or the end of reading.
@Suite struct WebSocketReaderTests {
    @Test func aCloseRequestedBeforeTheScopeWaitsIsReportedOnceThenTheEnd() async throws {
        let reader = WebSocketReader()
        #expect(reader.begin())
        reader.requestClose()
        reader.requestClose()
        try await withTimeout {
            #expect(await reader.nextScopeEvent() == .closeRequested)
            reader.finish()
            #expect(await reader.nextScopeEvent() == .readingDone)
        }
    }

    @Test func aCloseRequestWakesAWaitingScope() async throws {
        let reader = WebSocketReader()
        #expect(reader.begin())
        try await withTimeout {
            async let event = reader.nextScopeEvent()
            reader.requestClose()
            #expect(await event == .closeRequested)
        }
    }

    @Test func theEndOfReadingWinsOverALaterCloseRequest() async throws {
        let reader = WebSocketReader()
        #expect(reader.begin())
        reader.finish()
        reader.requestClose()
        try await withTimeout {
            #expect(await reader.nextScopeEvent() == .readingDone)
        }
        #expect(!reader.isReading)
    }

    @Test func nothingIsReadOnceReadingWasDeclaredOver() {
        let reader = WebSocketReader()
        reader.finish()
        #expect(!reader.begin())
    }
}
