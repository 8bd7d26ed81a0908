import Foundation
import SafeTensors

extension FuzzTargets {
    /// Tensors read to floats only up to this many elements, so a valid huge header costs no memory.
    static let maxFloatsRead = 1 << 16

    /// A safetensors container: header parsed and checked, then every small tensor read as floats.
    static let safetensors = FuzzTarget("safetensors", "a safetensors file: 8-byte length, JSON header, data") { data in
        let file = try SafeTensorsFile(data: data, source: "model.safetensors")
        for name in file.names {
            let info = try file.info(name)
            if info.shape.allSatisfy({ $0 <= maxFloatsRead }), info.elementCount <= maxFloatsRead {
                _ = try file.floats(name)
            }
        }
    }
}
