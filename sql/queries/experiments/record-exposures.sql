-- One exposure event per allocated recipient (holdout excluded). The event id is fixed per experiment
-- and user, and ids already stored are left out (events are deduplicated on write; the caller holds the
-- workspace's event-write lock), so allocating again never counts anyone twice.
INSERT INTO events (workspace_id, event_id, type, ts, user_id, phone, experiment_id, variant, properties)
SELECT workspace_id, concat('exposure:', {experiment:String}, ':', user_id), 'exposure', {now:DateTime64(3, 'UTC')}, user_id, phone, {experiment:String},
       substring(audience_id, length({experiment:String}) + 2), map('audience_id', {audience:String})
FROM audience_members
WHERE workspace_id = {workspace:String} AND version = {target_version:UInt32}
  AND audience_id IN {variant_audiences:Array(String)}
  AND concat('exposure:', {experiment:String}, ':', user_id) NOT IN
  (
      SELECT event_id FROM events
      WHERE workspace_id = {workspace:String} AND type = 'exposure' AND experiment_id = {experiment:String}
  )
