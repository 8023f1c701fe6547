-- The engine's clock, the one events.ingested_at is written in (the event watermark is kept in it, not in Node's).
SELECT now64(3) AS now
