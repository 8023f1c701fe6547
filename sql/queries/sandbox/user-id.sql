-- A snapshot's user_id (sandbox/snapshots.ts; the table is aliased src): for masked roles an id that is a phone number
-- becomes a salted hash, the same in every table, so joins still work and the number never reaches the file.
if({masked:UInt8} = 1 AND match(src.user_id, '^\\+?[0-9]{7,15}$'), concat('h:', lower(hex(SHA256(concat({salt:String}, src.user_id))))), src.user_id) AS user_id
