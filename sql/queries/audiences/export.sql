-- One page of an audience snapshot, in user_id order after the cursor. The select list is generated
-- from the fixed export catalogue (segmentation/exports.ts); it may alias a masked user_id AS user_id,
-- so the filter and the order name the table's column explicitly.
SELECT {{columns}}
FROM audience_members AS m
WHERE m.workspace_id = {workspace:String} AND m.audience_id = {audience:String} AND m.version = {version:UInt32}
  AND m.excluded = '' AND m.user_id > {after:String}
ORDER BY m.user_id
LIMIT {limit:UInt32}
