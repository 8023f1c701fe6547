-- Merges running in this database (events and whatever is fed from it), and the events table's active parts:
-- the bench waits for a settled table before it measures.
SELECT
    (SELECT count() FROM system.merges WHERE database = currentDatabase()) AS merges,
    (SELECT count() FROM system.parts WHERE database = currentDatabase() AND table = 'events' AND active) AS parts
