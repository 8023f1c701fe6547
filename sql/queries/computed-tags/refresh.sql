-- Brings a computed tag in line with its rule in one statement (the rule, the slot below, is evaluated here, never
-- in Node). The tags table keeps one row per (user, tag, value) whatever its source, the newest write winning, so:
-- contacts that match and carry the tag from no source gain a row of this definition's source; contacts whose row is
-- this source's and that no longer match get a removal row. A row of another source (an import, the API) is never
-- written over: its contact carries the tag already, and that source alone may take it away.
-- Every row of one run has the run's version, which is how the run counts what it wrote (computed-tags/run-counts).
INSERT INTO tags (workspace_id, user_id, tag, value, source, assigned_at, version, is_deleted)
SELECT {workspace:String}, user_id, {tag:String}, {value:String}, {source:String}, {assigned_at:DateTime64(3, 'UTC')}, {version:UInt64}, is_deleted
FROM
(
    SELECT user_id, toUInt8(0) AS is_deleted
    FROM contacts FINAL
    WHERE workspace_id = {workspace:String} AND ({{rule}})
      AND user_id NOT IN (
          SELECT user_id FROM tags FINAL
          WHERE workspace_id = {workspace:String} AND tag = {tag:String} AND value = {value:String}
      )
    UNION ALL
    SELECT user_id, toUInt8(1) AS is_deleted
    FROM tags FINAL
    WHERE workspace_id = {workspace:String} AND tag = {tag:String} AND value = {value:String} AND source = {source:String}
      AND user_id NOT IN (
          SELECT user_id FROM contacts FINAL
          WHERE workspace_id = {workspace:String} AND ({{rule}})
      )
)
