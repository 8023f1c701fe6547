-- Every contact's nearest centroid, in the model's standardized feature space: z = (transform(x) - mean) / sd,
-- where transform is log1p for frequency and monetary (money and counts are skewed) and identity otherwise.
INSERT INTO cluster_assignments (workspace_id, model_id, user_id, cluster)
SELECT
    {workspace:String},
    {model:String},
    user_id,
    toUInt32(arrayFirstIndex(d -> d = arrayMin(distances), distances) - 1)
FROM
(
    SELECT
        user_id,
        arrayMap(
            (x, name, mean, sd) -> (if(name IN ('frequency', 'monetary'), log1p(x), x) - mean) / sd,
            [recency_days, frequency, monetary, click_rate, conversion_rate, vip_level],
            ['recency_days', 'frequency', 'monetary', 'click_rate', 'conversion_rate', 'vip_level'],
            {means:Array(Float64)},
            {sds:Array(Float64)}
        ) AS all_z,
        arrayFilter((z, name) -> has({features:Array(String)}, name), all_z, ['recency_days', 'frequency', 'monetary', 'click_rate', 'conversion_rate', 'vip_level']) AS z,
        arrayMap(c -> L2SquaredDistance(z, c), {centroids:Array(Array(Float64))}) AS distances
    FROM ({{clusters/features}})
)
