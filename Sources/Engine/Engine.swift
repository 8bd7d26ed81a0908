/// The `Engine` module; see ../shared/DESIGN.md for its layer.
