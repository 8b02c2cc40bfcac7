import SwiftCompilerPlugin
import SwiftSyntaxMacros

/// The compiler plugin that SignalRMacros' macro declarations name.
@main
struct SignalRMacrosPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [
        HubProxyMacro.self,
        HubReceiverMacro.self,
        HubMethodMacro.self,
        HubSendMacro.self,
    ]
}
