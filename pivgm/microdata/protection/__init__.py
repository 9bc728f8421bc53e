"""Statistical disclosure control of aggregated tables: per-dataflow rules, primary and secondary
suppression and controlled rounding with tau-ARGUS, and the protection report."""
