import ArgumentParser
import TreadProtocol

struct Reset: SimpleRequest {
    static let configuration = CommandConfiguration(abstract: "Clear a latched fault once its cause is gone; the belt stays stopped.")
    static let method = TreadProtocol.Method.reset
    @OptionGroup var global: GlobalOptions
}
