/// The `Kernels` module; see ../shared/DESIGN.md for its layer.
