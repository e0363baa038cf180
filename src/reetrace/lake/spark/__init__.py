"""Analytics over the lake on Apache Spark (the optional `[spark]` extra, Java 17+)."""
