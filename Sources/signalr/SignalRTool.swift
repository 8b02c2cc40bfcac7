import ArgumentParser

/// `signalr`: talk to a SignalR hub from the command line, or run one.
@main
struct SignalRTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signalr",
        abstract: "A SignalR client (and test hub) on the command line.",
        subcommands: [
            DemoCommand.self, ServeCommand.self, InvokeCommand.self, SendCommand.self, StreamCommand.self, ListenCommand.self,
            BenchCommand.self,
        ]
    )
}
