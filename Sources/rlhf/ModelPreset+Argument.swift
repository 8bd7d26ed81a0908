import ArgumentParser
import Model

/// `--preset tiny|small` parses into a `ModelPreset`.
extension ModelPreset: ExpressibleByArgument {}
