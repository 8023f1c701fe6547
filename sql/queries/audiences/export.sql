-- One page of an audience snapshot, in user_id order after the cursor. The select list is generated
-- from the fixed export catalogue (segmentation/exports.ts).
SELECT {{columns}}
FROM audience_members
WHERE workspace_id = {workspace:String} AND audience_id = {audience:String} AND version = {version:UInt32}
  AND excluded = '' AND user_id > {after:String}
ORDER BY user_id
LIMIT {limit:UInt32}
