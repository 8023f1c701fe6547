-- Table names are fixed identifiers from warehouse/migration-steps.ts, never user text.
RENAME TABLE {{from}} TO {{to}}{{on_cluster}}
