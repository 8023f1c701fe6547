-- Seeds (or re-seeds, after a rule change or a re-enable) the membership with one full evaluation of the rule:
-- matching contacts become members, stored members that no longer match are marked gone. No change rows are
-- written: the stream describes changes after the seed, not the starting set.
INSERT INTO realtime_members (workspace_id, segment_id, unit, member, changed_at, version)
SELECT {workspace:String}, {segment:String}, unit, is_member, now64(3), {version:UInt64}
FROM
(
    SELECT user_id AS unit, toUInt8(1) AS is_member
    FROM contacts FINAL
    WHERE workspace_id = {workspace:String} AND ({{rule}})
    UNION ALL
    -- (not aliased `member`: an alias would shadow the column in this WHERE)
    SELECT unit, toUInt8(0) AS is_member
    FROM realtime_members FINAL
    WHERE workspace_id = {workspace:String} AND segment_id = {segment:String} AND member = 1
      AND unit NOT IN (SELECT user_id FROM contacts FINAL WHERE workspace_id = {workspace:String} AND ({{rule}}))
)
