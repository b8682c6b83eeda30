import ArgumentParser
import TreadProtocol

struct Pause: SimpleRequest {
    static let configuration = CommandConfiguration(abstract: "Pause the session; the belt makes a controlled stop.")
    static let method = TreadProtocol.Method.pause
    @OptionGroup var global: GlobalOptions
}
