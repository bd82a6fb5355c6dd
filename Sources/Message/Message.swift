// Message: the queue message contract and the JSON it is written in (DESIGN.md).
//
// `QueueMessage` (`{"v":1,"id","count","ts"}`; `CanonicalEnvelope` reads the programs' own form
// without a JSON tree), `CountValue` (a signed 64-bit integer, literals as written), `MessageID`
// (UUIDv7, `Idempotency-Key`), `UnixTime`, the strict JSON parser (`StrictJSON`: number literals
// kept as written, nesting capped at 32) and a small writer (`JSONText`). Pure Swift, no I/O.
