import ArgumentParser

/// treadsync: publishes this machine's workout history, faults and health counters to the
/// gym chain's MQTT broker (docs/fleet.md). A process of its own, with its own unprivileged
/// user: the network stays out of treadd, and treadsync only reads treadd's history.
@main
struct Treadsync: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treadsync",
        abstract: "Publish treadd's outbox to the fleet's MQTT broker.",
        subcommands: [Run.self, CheckConfig.self, Pending.self],
        defaultSubcommand: Run.self)
}

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The settings file.")
    var config = "/etc/treadd/treadsync.toml"
}
