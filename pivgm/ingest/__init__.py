"""Reading files into tables keyed by a dataflow's dimensions, and checking them."""
