/// The `SafeTensors` module; see ../shared/DESIGN.md for its layer.
