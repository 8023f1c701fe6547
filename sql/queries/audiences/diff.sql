-- One page of a diff between two snapshots, in user_id order after the cursor: `added` rows come from {to},
-- `removed` rows from {from}. The select list is generated from the export catalogue (segmentation/exports.ts).
SELECT if(m.version = {to:UInt32}, 'added', 'removed') AS change, {{columns}}
{{audiences/diff-rows}}
ORDER BY m.user_id
LIMIT {limit:UInt32}
