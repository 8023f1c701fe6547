-- One row per contact of an import: the first line of each key wins (later lines with the same key
-- are the file's duplicates); its user is the given user_id, else the stored contact with that phone,
-- else the phone itself; the file's fields are laid over the stored profile (NULL = keep stored).
-- Run with join_use_nulls = 1, so "no stored contact" reads as NULL.
WITH
    staged AS
    (
        SELECT
            key,
            first.1 AS user_id, first.2 AS phone, first.3 AS name, first.4 AS gender, first.5 AS birthday,
            first.6 AS city, first.7 AS region, first.8 AS signup_at, first.9 AS vip_level, first.10 AS consent,
            first.11 AS consent_at, first.12 AS attributes, first.13 AS tags
        FROM
        (
            SELECT
                key,
                argMin((user_id, phone, name, gender, birthday, city, region, signup_at, vip_level, consent, consent_at, attributes, tags), line) AS first
            FROM contact_import_rows
            WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
            GROUP BY key
        )
    ),
    by_phone AS
    (
        SELECT phone, min(user_id) AS user_id
        FROM contacts FINAL
        WHERE workspace_id = {workspace:String} AND phone != '' AND phone IN (SELECT assumeNotNull(phone) FROM staged WHERE phone IS NOT NULL)
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
    assumeNotNull(r.uid) AS user_id,
    c.user_id IS NOT NULL AS existed,
    c.consent AS previous_consent,
    coalesce(r.phone, c.phone, '') AS phone,
    coalesce(r.name, c.name, '') AS name,
    coalesce(r.gender, c.gender, '') AS gender,
    coalesce(r.birthday, c.birthday) AS birthday,
    coalesce(r.city, c.city, '') AS city,
    coalesce(r.region, c.region, '') AS region,
    coalesce(r.signup_at, c.signup_at) AS signup_at,
    coalesce(r.vip_level, c.vip_level, 0) AS vip_level,
    coalesce(r.consent, c.consent, 'unknown') AS consent,
    coalesce(r.consent_at, c.consent_at) AS consent_at,
    mapUpdate(c.attributes, r.attributes) AS attributes,
    r.tags AS tags
FROM resolved AS r
LEFT JOIN
(
    SELECT user_id, phone, name, gender, birthday, city, region, signup_at, vip_level, consent, consent_at, attributes
    FROM contacts FINAL
    WHERE workspace_id = {workspace:String} AND user_id IN (SELECT uid FROM resolved)
) AS c ON c.user_id = r.uid
