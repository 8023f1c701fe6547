-- Size and mean raw features of each cluster of a model.
SELECT
    a.cluster AS cluster,
    count() AS size,
    avg(f.recency_days) AS recency_days,
    avg(f.frequency) AS frequency,
    avg(f.monetary) AS monetary,
    avg(f.click_rate) AS click_rate,
    avg(f.conversion_rate) AS conversion_rate,
    avg(f.vip_level) AS vip_level
FROM cluster_assignments AS a
INNER JOIN ({{clusters/features}}) AS f ON f.user_id = a.user_id
WHERE a.workspace_id = {workspace:String} AND a.model_id = {model:String}
GROUP BY cluster
ORDER BY cluster
