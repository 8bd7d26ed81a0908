/// The `World` module; see ../shared/DESIGN.md for its layer.
