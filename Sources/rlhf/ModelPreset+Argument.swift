import ArgumentParser
import Model

/// `--preset tiny|small` parses into a `ModelPreset`.
extension ModelPreset: ExpressibleByArgument {}

/// `--dtype f32|bf16` parses into a `CheckpointDType`.
extension CheckpointDType: ExpressibleByArgument {}
