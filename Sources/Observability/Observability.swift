// Observability: what the programs tell their operators.
//
// Logging (`LoggingSetup`: text or one JSON object per line; `RepeatedWarnings`: a warning that
// repeats is logged once per interval, with a count), the Prometheus registry and the names of the
// pipeline's own metrics (`MetricName`). Depends on Settings (for `LogSettings`) and Message (its
// JSON writer).
