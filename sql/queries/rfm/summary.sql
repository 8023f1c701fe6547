-- The newest RFM run of a workspace: its segment sizes.
SELECT run_id, any(computed_at) AS computed_at, any(window_days) AS window_days, any(event) AS event, segment, count() AS users
FROM rfm_scores
WHERE workspace_id = {workspace:String}
  AND run_id = (SELECT argMax(run_id, computed_at) FROM rfm_scores WHERE workspace_id = {workspace:String})
GROUP BY run_id, segment
ORDER BY segment
