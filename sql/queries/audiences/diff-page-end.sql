-- The last user_id of the diff page that starts after the cursor, and whether another row follows it.
SELECT m.user_id AS user_id
{{audiences/diff-rows}}
ORDER BY m.user_id
LIMIT 2 OFFSET {offset:UInt32}
