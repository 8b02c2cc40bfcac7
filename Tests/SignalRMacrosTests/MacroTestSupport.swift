import SignalRMacrosPlugin
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosGenericTestSupport
import Testing

/// The macros under the names SignalRMacros declares them with.
let hubMacros: [String: MacroSpec] = [
    "HubProxy": MacroSpec(type: HubProxyMacro.self),
    "HubReceiver": MacroSpec(type: HubReceiverMacro.self),
    "HubMethod": MacroSpec(type: HubMethodMacro.self),
    "HubSend": MacroSpec(type: HubSendMacro.self),
]

/// Expands `source` with the hub macros and records a test issue for every difference from
/// `expanded`, the expected diagnostics and (when given) the source after applying every fix-it.
func assertExpansion(
    _ source: String, expanded: String, diagnostics: [DiagnosticSpec] = [], fixed: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    assertMacroExpansion(
        source, expandedSource: expanded, diagnostics: diagnostics, macroSpecs: hubMacros,
        applyFixIts: fixed == nil ? nil : diagnostics.flatMap { $0.fixIts.map(\.message) },
        fixedSource: fixed,
        failureHandler: { failure in
            Issue.record(Comment(rawValue: failure.message), sourceLocation: sourceLocation)
        }
    )
}
