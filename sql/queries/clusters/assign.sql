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
        -- In the model's feature order (the centroids' order), which is the request's, not the list above.
        arrayMap(name -> all_z[indexOf(['recency_days', 'frequency', 'monetary', 'click_rate', 'conversion_rate', 'vip_level'], name)], {features:Array(String)}) AS z,
        arrayMap(c -> L2SquaredDistance(z, c), {centroids:Array(Array(Float64))}) AS distances
    FROM ({{clusters/features}})
)
