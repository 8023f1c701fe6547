-- The rows of a diff between two snapshots after the cursor: a member of either version ({from}, {to}) whose
-- user_id the other version lacks (an anti-join; from = to leaves nothing). Included members only, as exports.
-- The other side names its columns apart, so the generated select list reads the member row unambiguously.
FROM audience_members AS m
LEFT ANTI JOIN
(
    SELECT user_id AS paired_user, toUInt32({from:UInt32} + {to:UInt32} - version) AS paired_version
    FROM audience_members
    WHERE workspace_id = {workspace:String} AND audience_id = {audience:String} AND version IN ({from:UInt32}, {to:UInt32})
      AND excluded = '' AND user_id > {after:String}
) AS o ON o.paired_user = m.user_id AND o.paired_version = m.version
WHERE m.workspace_id = {workspace:String} AND m.audience_id = {audience:String} AND m.version IN ({from:UInt32}, {to:UInt32})
  AND m.excluded = '' AND m.user_id > {after:String}
