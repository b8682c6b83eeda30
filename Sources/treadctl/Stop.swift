import ArgumentParser
import TreadProtocol

struct Stop: SimpleRequest {
    static let configuration = CommandConfiguration(abstract: "Bring the belt to a controlled stop and end the session.")
    static let method = TreadProtocol.Method.stop
    @OptionGroup var global: GlobalOptions
}
