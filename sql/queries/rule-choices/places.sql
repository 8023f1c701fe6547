-- Cities and regions of the workspace's contacts with how many live in each, most populous first, at most
-- {limit} of each (a rule builder's pickers).
SELECT kind, value, count() AS contacts
FROM
(
    SELECT arrayJoin([('city', toString(city)), ('region', toString(region))]) AS place, place.1 AS kind, place.2 AS value
    FROM contacts FINAL
    WHERE workspace_id = {workspace:String}
)
WHERE value != ''
GROUP BY kind, value
ORDER BY kind, contacts DESC, value
LIMIT {limit:UInt32} BY kind
