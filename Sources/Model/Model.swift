/// The `Model` module; see ../shared/DESIGN.md for its layer.
