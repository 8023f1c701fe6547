-- Splits one audience snapshot into per-variant audience snapshots with the allocation hash:
-- u = murmurHash3_32(salt:user_id) / 2^32 (the same MurmurHash3 x86_32 as experiments/allocation.ts),
-- held out below {holdout}, else the first variant whose cumulative cut is above u.
INSERT INTO audience_members (workspace_id, audience_id, version, {{audience_columns}}, excluded)
SELECT workspace_id, concat({experiment:String}, '.', variant) AS audience_id, {target_version:UInt32}, {{audience_columns}}, ''
FROM
(
    SELECT *,
        murmurHash3_32(concat({salt:String}, ':', user_id)) / 4294967296 AS u,
        if(u < {holdout:Float64}, 'holdout', {keys:Array(String)}[arrayFirstIndex(c -> u < c, {cuts:Array(Float64)})]) AS variant
    FROM audience_members
    WHERE workspace_id = {workspace:String} AND audience_id = {audience:String} AND version = {version:UInt32} AND excluded = ''
)
