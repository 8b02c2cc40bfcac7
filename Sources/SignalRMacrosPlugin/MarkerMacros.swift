import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// `@HubMethod("Name")`: the wire name of one method. It generates nothing itself;
/// `@HubProxy` and `@HubReceiver` read it from the method's attributes.
public struct HubMethodMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol, in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        if !declaration.is(FunctionDeclSyntax.self) {
            context.diagnose(Diagnostic(node: node, message: HubMacroDiagnostic.markerOnNonMethod("@HubMethod")))
        }
        return []
    }
}

/// `@HubSend`: call this hub method with `send` (no wait for the hub) instead of `invoke`.
/// It generates nothing itself; `@HubProxy` reads it.
public struct HubSendMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol, in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        if !declaration.is(FunctionDeclSyntax.self) {
            context.diagnose(Diagnostic(node: node, message: HubMacroDiagnostic.markerOnNonMethod("@HubSend")))
        }
        return []
    }
}
