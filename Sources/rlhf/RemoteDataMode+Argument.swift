import ArgumentParser
import Engine

/// `--remote-data shared|cache` parses into a `RemoteDataMode`.
extension RemoteDataMode: ExpressibleByArgument {}
