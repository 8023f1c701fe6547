-- One page of a workspace's erasure log, oldest first, after the cursor (erasure ids sort by time).
SELECT erasure_id, erased_at, erased_by, user_hash, phone_hashes, contacts_removed, events_pseudonymized
FROM erasures
WHERE workspace_id = {workspace:String} AND erasure_id > {after:String}
ORDER BY erasure_id
LIMIT {limit:UInt32}
