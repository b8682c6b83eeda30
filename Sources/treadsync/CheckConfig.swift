import ArgumentParser
import TreadSync

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Check the settings file and say what treadsync would do.")

    @OptionGroup var options: ConfigOption

    func run() throws {
        let c: SyncConfig
        do { c = try SyncConfig.load(path: options.config) } catch {
            throw ValidationError("\(error)")
        }
        print("machine \(c.machine) at site \(c.site)")
        print("broker \(c.broker.host):\(c.broker.port) as \(c.broker.clientID)\(c.broker.caFile != nil ? " over TLS" : "")\(c.broker.username.map { ", user \($0)" } ?? "")")
        print("topics \(c.topic("sessions")), \(c.topic("faults")), \(c.topic("counters"))")
        print("history \(c.historyPath) (read only), ledger \(c.ledgerPath)")
    }
}
