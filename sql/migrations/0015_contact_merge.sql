-- One contact merge for the API's upserts and for imports (sql/queries/imports/contacts-merged.sql): a
-- merged row records the version it was merged over, so applying it writes a newer version even within
-- the same millisecond, and a resumed import writes the same one again.
-- (The unused contact_import_merged table of 0004 is dropped by this migration's data step.)
ALTER TABLE contact_import_pending ADD COLUMN IF NOT EXISTS previous_updated_at Nullable(DateTime64(3, 'UTC'));
