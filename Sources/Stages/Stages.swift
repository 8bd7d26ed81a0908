/// The `Stages` module; see ../shared/DESIGN.md for its layer.
