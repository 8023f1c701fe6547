-- Takes a computed tag away from every contact that carries it from this definition's source (the definition was
-- deleted, or now computes another tag); rows of other sources stay.
INSERT INTO tags (workspace_id, user_id, tag, value, source, assigned_at, version, is_deleted)
SELECT workspace_id, user_id, tag, value, source, {assigned_at:DateTime64(3, 'UTC')}, {version:UInt64}, toUInt8(1)
FROM tags FINAL
WHERE workspace_id = {workspace:String} AND tag = {tag:String} AND value = {value:String} AND source = {source:String}
