import ArgumentParser
import TreadProtocol

struct Resume: SimpleRequest {
    static let configuration = CommandConfiguration(abstract: "Resume a paused session (reverse segments need the rails held).")
    static let method = TreadProtocol.Method.resume
    @OptionGroup var global: GlobalOptions
}
