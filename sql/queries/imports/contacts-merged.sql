-- The one contact merge: the API's upsert and the file import both stage their rows in contact_import_rows
-- (one import_id per batch) and merge them over the stored profiles here. Precedence:
--   1. Identity: a row's contact is its user_id; without one, the stored contact with that phone (the
--      smallest user_id when several have it), else a new contact whose user_id is the phone.
--   2. Within a batch the first line of each key (user_id, else phone) wins whole; later lines with that
--      key are duplicates (an import counts them; the API merges a user's repeated posts as successive
--      batches, in the order posted, so it never stages a user twice in one batch).
--   3. A field the row gives (not NULL) replaces the stored value; one it does not give keeps the stored
--      value; with neither, the field's empty value. Attributes merge key by key: the row's keys replace
--      the stored ones, the other stored keys stay.
--   4. Version: the result is written with updated_at = max(apply time, stored updated_at + 1 ms)
--      (apply-contacts.sql), so it always outranks the profile it was merged over.
-- The column lists and per-field expressions are rendered from CONTACT_FIELDS (ingest/contact-sql.ts).
-- Run with join_use_nulls = 1, so "no stored contact" reads as NULL.
WITH
    staged AS
    (
        SELECT key, {{staged_first_columns}}
        FROM
        (
            SELECT key, {{staged_first}} AS first
            FROM contact_import_rows
            WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
            GROUP BY key
        )
    ),
    by_phone AS
    (
        SELECT phone, min(user_id) AS user_id
        FROM contacts FINAL
        WHERE workspace_id = {workspace:String} AND phone != ''
          AND phone IN (SELECT assumeNotNull(phone) FROM staged WHERE user_id IS NULL AND phone IS NOT NULL)
        GROUP BY phone
    ),
    resolved AS
    (
        SELECT s.*, coalesce(s.user_id, b.user_id, s.phone) AS uid
        FROM staged AS s
        LEFT JOIN by_phone AS b ON s.phone = b.phone
    )
SELECT
    {workspace:String} AS workspace_id,
    c.user_id IS NOT NULL AS existed,
    c.consent AS previous_consent,
    c.updated_at AS previous_updated_at,
    {{merged_columns}},
    r.tags AS tags
FROM resolved AS r
LEFT JOIN
(
    SELECT {{contact_columns}}, updated_at
    FROM contacts FINAL
    WHERE workspace_id = {workspace:String} AND user_id IN (SELECT uid FROM resolved)
) AS c ON c.user_id = r.uid
