"""From individual records to publishable tables: recipes, one Ibis pipeline on DuckDB or Spark, and
disclosure control."""
