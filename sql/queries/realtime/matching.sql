-- Which of the given contacts (the {{units}} set: a parameter or a subquery) the rule matches now; the rule (the
-- {{rule}} slot) reads events, rollups and tags of those contacts only.
SELECT user_id AS unit
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND user_id IN {{units}} AND ({{rule}})
